//! The benchmark workload W(n) (shared/bench/workload.md).
