// The keyplan policy language. The parser is generated at build time
// (antlr4 -Dlanguage=Cpp); the AST builder in compiler/parse.cpp turns
// its tree into compiler/ast.hpp. docs/language.md is the user's reference.
grammar Keyplan;

file : moduleDecl? importDecl* decl* EOF ;

moduleDecl : 'module' qualifiedName ;
importDecl : 'import' qualifiedName ;
qualifiedName : ident ('.' ident)* ;

decl
    : annotation* enumDecl
    | annotation* entityDecl
    | annotation* extendDecl
    | annotation* settingDecl
    | annotation* setDecl
    | annotation* aliasDecl
    | annotation* ruleDecl
    | annotation* invariantDecl
    | annotation* checkDecl
    | annotation* reportDecl
    | annotation* instanceDecl
    ;

annotation : '@' ident ('(' annotationArg (',' annotationArg)* ')')? ;
annotationArg : STRING | ident ;

// enum License { requestor, limited, full }  (order of declaration = order)
enumDecl : 'enum' ident '{' enumMember (',' enumMember)* ','? '}' ;
enumMember : ident | 'none' ;

// entity Floor { parent building: Building  groups: set<Group> = [ALL] }
entityDecl : 'entity' ident '{' attributeDecl* '}' ;
extendDecl : 'extend' ident '{' attributeDecl* '}' ;
attributeDecl : annotation* PARENT? ident ':' typeRef ('=' expr)? ','? ;

// setting all_is_everyone: bool = true
settingDecl : 'setting' ident ':' typeRef '=' expr ;
// set all_is_everyone = false   (a client policy overrides a setting)
setDecl : 'set' ident '=' expr ;

// alias desk = Object { kind: desk }   (a shorthand for instance declarations)
aliasDecl : 'alias' ident '=' ident ('{' attributeValue* '}')? ;

ruleDecl : (RULE | ACTION) ident '(' (param (',' param)*)? ')' (':' typeRef)? '=' expr ;
param : ident ':' typeRef ('=' expr)? ;

// invariant "booking needs the floor": forall u: User, o: Object . e
invariantDecl : 'invariant' STRING ':' ('forall' binder (',' binder)* '.')? expr ;
binder : ident ':' typeRef ;

// check no_profile(u: User) error "user {u} has no default profile" = u.p == none
// (true = a finding, one per binding of the parameters)
checkDecl : 'check' ident '(' binder (',' binder)* ')' ident (STRING | checkMessage) '=' expr ;
// The message as text built like a report cell: `if C then A else B`,
// `join(SEP, TEXT, ...)` (a bare string above stays a template).
checkMessage : expr ;

// report authorization_matrix "title" { rows g: SystemGroup where listed(g)
//   column "System group" = g   columns p: Profile where on_dashboard(p) = ...
//   note "legend" }   (or several `table name "title" { ... }` blocks)
reportDecl : 'report' ident STRING? '{' (reportTable+ | reportItem*) '}' ;
reportTable : 'table' ident STRING? '{' reportItem* '}'
    // table access for u: User where F = "title {u}" { ... }: one table per instance
    | 'table' ident 'for' binder ('where' expr)? ('=' expr)? '{' reportItem* '}'
    ;
reportItem
    : 'rows' binder ('where' expr)?                          # reportRows
    | 'column' STRING '=' expr                               # reportColumn
    | 'columns' binder ('where' expr)? '=' expr              # reportColumns
    | 'note' ('for' binder ('where' expr)?)? ('if' expr)? STRING  # reportNote
    | 'note' ('for' binder ('where' expr)?)? ('if' expr)? '=' expr  # reportNoteText
    // rows a in actions(actor: User): per row, each action whose first
    // parameter is `actor: User` (simulator/action_scope.hpp)
    | 'rows' ident 'in' ident '(' binder ')'                  # reportActionRows
    | 'columns' ident 'in' ident '(' binder ')' '=' expr      # reportActionColumns
    ;

// Building example_building { groups: [ALL]  Floor first_floor { ... } }
instanceDecl : ident ident ('{' instanceItem* '}')? ;
instanceItem : attributeValue | annotation* instanceDecl ;
attributeValue : ident ':' expr ','? ;

typeRef
    : typeRef '?'                                   # optionalType
    | 'set' '<' typeRef '>'                         # setType
    | ident                                         # namedType
    ;

// ANTLR gives earlier alternatives higher precedence: tightest first.
expr
    : expr '.' (ident | 'none')                                  # memberExpr
    | ident '(' (expr (',' expr)*)? ')'                          # callExpr
    | '{' expr 'for' ident 'in' expr ('where' expr)? '}'         # comprehensionExpr
    | '{' ident 'in' expr 'where' expr '}'                       # filterExpr
    | '[' (expr (',' expr)* ','?)? ']'                           # setLiteral
    | '(' expr ')'                                               # parenExpr
    | literal                                                    # literalExpr
    | ident                                                      # nameExpr
    | '-' expr                                                   # negExpr
    | expr op=('*' | '/' | '%' | 'intersect') expr               # mulExpr
    | expr op=('+' | '-' | 'union' | 'except') expr              # addExpr
    | expr '??' expr                                             # coalesceExpr
    | expr 'within' expr                                         # withinExpr
    | expr 'meets' expr                                          # meetsExpr
    | expr NOT? 'in' expr                                        # inExpr
    | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr       # compareExpr
    | 'not' expr                                                 # notExpr
    | expr 'and' expr                                            # andExpr
    | expr 'or' expr                                             # orExpr
    | <assoc=right> expr 'implies' expr                          # impliesExpr
    | quantifier=('any' | 'all') ident 'in' expr ':' expr        # quantExpr
    | 'if' expr 'then' expr 'else' expr                          # ifExpr
    // [TEXT for x in S where F]: texts in S's order (report text only)
    | '[' expr 'for' ident 'in' expr ('where' expr)? ']'         # listExpr
    ;

literal : INT | STRING | DATE | 'true' | 'false' | 'none' | 'today' ;

// Soft keywords: words that are keywords in one place but names elsewhere.
ident : ID | 'set' | 'module' | 'alias' | 'extend' | 'setting' | 'check' | 'report' | 'table'
      | 'rows' | 'column' | 'columns' | 'note' | PARENT ;

PARENT : 'parent' ;
RULE : 'rule' ;
ACTION : 'action' ;
NOT : 'not' ;

DATE : [0-9] [0-9] [0-9] [0-9] '-' [0-9] [0-9] '-' [0-9] [0-9] ;
INT : [0-9]+ ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;
// A string without its closing quote, to the end of the line, as one token:
// so a line of many quotes lexes in linear time. The token scan reports it.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' .)* ;
// Identifiers follow Unicode UAX #31 (XID): `Group Fuhrpark_Süd`.
ID : [\p{XID_Start}_] [\p{XID_Continue}]* ;

DOC_COMMENT : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT : '//' ~[\r\n]* -> channel(2) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(2) ;
// A `/*` with no `*/` after it, to the end of the file, as one token (linear
// time however many `/*` follow); the token scan reports it.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;
WS : [ \t\r\n]+ -> skip ;
// Anything else is one bad character: the parser reports it with its position.
ERROR_CHAR : . ;
