// Every name of a set of parsed files, declared or used, with its span: what
// go to definition, find references, rename, hover and the outline look up.
// Names are resolved as sema does, by kind and spelling: locals (rule
// parameters, binders, quantifier variables) first, then the policy's global
// names; attributes by name (the object's type is not needed to find them).
#pragma once

#include "compiler/ast.hpp"

#include <string>
#include <vector>

namespace keyplan::lsp {

enum class SymKind { Type, EnumMember, Attribute, Setting, Rule, Instance, Check, Local };
const char* kind_name(SymKind k);

struct Occurrence {
  SymKind kind;
  std::string name;
  Span span;
  bool definition = false;
  std::string container;              // the entity of an attribute, the enum of a member,
                                      // the type of an instance, the rule of a local
  const ast::Decl* decl = nullptr;    // the top-level declaration it is part of
  const ast::TypeRef* type = nullptr; // a local's, an attribute's or a setting's declared type
  const ast::Attribute* attribute = nullptr; // Attribute definitions
  int64_t local_id = -1; // Local: its definition (file and byte offset), shared by its uses
};

class SymbolIndex {
public:
  void build(const std::vector<ast::File>& files);
  const std::vector<Occurrence>& all() const { return occ_; }
  // The occurrence whose span contains the byte offset of file `file`.
  const Occurrence* at(int file, uint32_t offset) const;
  std::vector<const Occurrence*> definitions(const Occurrence& o) const;
  std::vector<const Occurrence*> references(const Occurrence& o) const;
  bool same_symbol(const Occurrence& a, const Occurrence& b) const;

private:
  std::vector<Occurrence> occ_;
};

// A type as written (set<Group>?).
std::string type_text(const ast::TypeRef& t);

} // namespace keyplan::lsp
