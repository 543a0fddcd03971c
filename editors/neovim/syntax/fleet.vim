" Vim syntax file
" Language: fleet (.fleet files: a typed language describing a Kubernetes fleet)
" A minimal highlighting: keywords, strings with ${...} interpolation, comments,
" numbers with units. The keywords are the lexer's
" (compiler/src/syntax/kind.rs). VS Code's TextMate grammar is the precise one.

if exists('b:current_syntax')
  finish
endif

" A name may hold `-` (`in-cluster`, `payment-service`): a keyword must be the
" whole name.
syntax iskeyword @,48-57,_,-

" Names first, so that `-` inside one is not read as minus; later items that
" start at the same place take precedence.
syntax match fleetName /\<[A-Za-z_][A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*/
syntax match fleetType /\<\u\w*\l\w*/

" Reserved words.
syntax keyword fleetImport import as
syntax keyword fleetStorage let
syntax keyword fleetRepeat for
syntax keyword fleetConditional if then else
syntax keyword fleetOperatorWord in and or not where
syntax keyword fleetBoolean true false

" Declaration words start a declaration at the start of a line, before a name or
" a string; elsewhere they are ordinary names (`env = dev` sets a field).
syntax match fleetDeclaration /^\s*\zs\%(fleet\|env\|team\|cluster\|app\|overlay\|promotion\|policy\|manifest\|template\|type\|enum\)\ze\s\+[A-Za-z_"]/
" `require` starts an assertion, unless a field called `require` is set.
syntax match fleetDeclaration /^\s*\zsrequire\>\%(\s*\%([=.{:]\|+=\|-=\)\)\@!/
" `region` and `cluster` after `@` are layer words of an overlay.
syntax match fleetDeclaration /\%(@.*\)\@<=\<\%(region\|cluster\)\>\ze\s\+[A-Za-z_"]/

syntax keyword fleetBuiltinType Bool Int String Duration Percent Cpu Memory Any List Map Set
syntax keyword fleetBuiltinFunction range len present
syntax keyword fleetBuiltinConstant clusters rest

" Numbers, and a unit touching the number: `30s`, `256Mi`, `10%`, `1h30m`.
syntax match fleetNumber /\%([A-Za-z0-9_]-\=\)\@<!\d[0-9_]*\%(\.\d[0-9_]*\)\=/ nextgroup=fleetUnit
syntax match fleetUnit /%\|[A-Za-z][A-Za-z0-9]*/ contained

syntax match fleetOperator /->\|\.\.\|==\|!=\|<=\|>=\|+=\|-=\|[-+*\/%<>=|?@]/
" Not tokens of the language: `;`, `'`, backquotes, `&&`, `||`, `!`, `#`.
syntax match fleetError /[;'`]\|&&\|||\|!\%(=\)\@!/

" Strings: one line, or `"""` over several. `${ ... }` holds an expression.
syntax match fleetEscapeError /\\./ contained
syntax match fleetEscape /\\[\\"nrt$]/ contained
syntax match fleetEscape /\\u{\x\{1,6}}/ contained
syntax region fleetString start=/"/ skip=/\\\\\|\\"/ end=/"/ end=/$/ contains=fleetEscapeError,fleetEscape,fleetInterpolation,@Spell
syntax region fleetString start=/"""/ end=/"""/ contains=fleetEscapeError,fleetEscape,fleetInterpolation,@Spell
" What an interpolation holds: an expression, in which `{ ... }` nests.
syntax cluster fleetExpression contains=fleetName,fleetType,fleetImport,fleetStorage,fleetRepeat,fleetConditional,fleetOperatorWord,fleetBoolean,fleetBuiltinType,fleetBuiltinFunction,fleetBuiltinConstant,fleetNumber,fleetOperator,fleetError,fleetString,fleetBraces
" An interpolation closes on its line; one that does not is left as text.
syntax region fleetInterpolation matchgroup=fleetInterpolationDelimiter start=/\${/ end=/}/ oneline contained contains=@fleetExpression
syntax region fleetBraces start=/{/ end=/}/ oneline contained transparent contains=@fleetExpression

" Comments: `//`, `///` documents what follows, `//!` the file. `#` is an error.
syntax keyword fleetTodo TODO FIXME XXX NOTE contained
syntax match fleetComment /\/\/.*$/ contains=fleetTodo,@Spell
syntax match fleetDocComment /\/\/\/\%(\/\)\@!.*$/ contains=fleetTodo,@Spell
syntax match fleetDocComment /\/\/!.*$/ contains=fleetTodo,@Spell
syntax match fleetError /#.*$/

highlight default link fleetType Type
highlight default link fleetImport Include
highlight default link fleetStorage Keyword
highlight default link fleetRepeat Repeat
highlight default link fleetConditional Conditional
highlight default link fleetOperatorWord Keyword
highlight default link fleetBoolean Boolean
highlight default link fleetDeclaration Keyword
highlight default link fleetBuiltinType Type
highlight default link fleetBuiltinFunction Function
highlight default link fleetBuiltinConstant Constant
highlight default link fleetNumber Number
highlight default link fleetUnit Special
highlight default link fleetOperator Operator
highlight default link fleetError Error
highlight default link fleetEscape SpecialChar
highlight default link fleetEscapeError Error
highlight default link fleetString String
highlight default link fleetInterpolationDelimiter Delimiter
highlight default link fleetTodo Todo
highlight default link fleetComment Comment
highlight default link fleetDocComment SpecialComment

let b:current_syntax = 'fleet'
