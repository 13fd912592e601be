" Vim syntax file for the keyplan policy language (.kp); docs/editors.md.
if exists('b:current_syntax')
  finish
endif

syn keyword keyplanDeclaration module import enum entity extend setting set alias rule action
syn keyword keyplanDeclaration invariant forall check parent report table rows column columns note
syn keyword keyplanControl if then else any all for where
syn keyword keyplanOperatorWord not and or implies in within meets union intersect except
syn keyword keyplanConstant true false none today
syn keyword keyplanPrimitive bool int string date

syn match keyplanAnnotation "@[A-Za-z_][A-Za-z0-9_]*"
syn match keyplanDate "\<\d\{4}-\d\{2}-\d\{2}\>"
syn match keyplanNumber "\<\d\+\>"
syn match keyplanType "\<[A-Z][A-Za-z0-9_]*\>"
syn match keyplanOperator "==\|!=\|<=\|>=\|??\|[<>+*/%-]"
syn region keyplanString start=+"+ skip=+\\.+ end=+"+ end=+$+ contains=keyplanEscape oneline
syn match keyplanEscape "\\." contained
syn match keyplanDocComment "///.*$" contains=keyplanRuleId
syn match keyplanComment "//\([^/].*\)\=$" contains=keyplanRuleId
syn region keyplanComment start="/\*" end="\*/" contains=keyplanRuleId
" DOMAIN rule ids (F-A2, W-3) in comments stand out.
syn match keyplanRuleId "\<[FW]-[A-Z]*\d\+\>" contained

hi def link keyplanDeclaration Keyword
hi def link keyplanControl Conditional
hi def link keyplanOperatorWord Operator
hi def link keyplanOperator Operator
hi def link keyplanConstant Constant
hi def link keyplanPrimitive Type
hi def link keyplanType Type
hi def link keyplanAnnotation PreProc
hi def link keyplanDate Number
hi def link keyplanNumber Number
hi def link keyplanString String
hi def link keyplanEscape SpecialChar
hi def link keyplanDocComment SpecialComment
hi def link keyplanComment Comment
hi def link keyplanRuleId Todo

let b:current_syntax = 'keyplan'
