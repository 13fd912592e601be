// Random well-typed keyplan policies as .kp source text, with random tenant
// data (YAML), for the JIT differential test. Every choice goes through a
// Chooser, so RapidCheck can record and shrink them (any sequence of choices
// yields a policy that type-checks).
#pragma once

#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <string>
#include <vector>

namespace keyplan::testgen {

// pick(lo, hi): a value in [lo, hi].
using Chooser = std::function<int(int, int)>;

struct GeneratedPolicy {
  std::string source; // .kp text
  std::string data;   // YAML tenant data (may be empty)
};

struct GenOptions {
  bool within = true; // generate `within` (off while a known JIT bug is open)
  // Attribute reads (x.attr) more often, variables always when one has the
  // type, and up to max_rows data instances per type: the column engine's
  // test, whose per-row values are the open parameter's attributes.
  bool prefer_attrs = false;
  int max_rows = 4;
};

} // namespace keyplan::testgen

namespace keyplan::testgen {

namespace detail {

enum class K { Bool, Int, Date, Enum, Ent, OInt, ODate, OEnum, OEnt, SEnt, SEnum };
struct Ty {
  K k;
  int ref = 0;
  bool operator==(const Ty& o) const { return k == o.k && (ref == o.ref || !has_ref()); }
  bool has_ref() const { return k == K::Ent || k == K::OEnt || k == K::SEnt; }
};
inline Ty opt_of(Ty t) {
  switch (t.k) {
  case K::Int:
    return {K::OInt};
  case K::Date:
    return {K::ODate};
  case K::Enum:
    return {K::OEnum};
  case K::Ent:
    return {K::OEnt, t.ref};
  default:
    return t;
  }
}

struct Attr {
  std::string name;
  Ty type;
  bool parent = false;
};
struct Rule {
  std::string name;
  std::vector<Ty> params;
  Ty result;
};

class Gen {
public:
  Gen(const Chooser& p, GenOptions o) : pick_(p), opts_(o) {}

  GeneratedPolicy run() {
    ntypes_ = pick(1, 3);
    nmembers_ = pick(1, 4);
    std::string src = "enum Col { ";
    for (int i = 0; i < nmembers_; ++i) src += fmt::format("{}k{}", i ? ", " : "", i);
    src += " }\n";
    attrs_.resize(static_cast<size_t>(ntypes_));
    // Parent types: a required parent of a lower type (a plain tree), an
    // optional parent of any type (itself: a tree of one type; a later one:
    // mutually parented types, a cycle of types), or none.
    parent_.assign(static_cast<size_t>(ntypes_), -1);
    for (int k = 0; k < ntypes_; ++k) {
      auto& a = attrs_[static_cast<size_t>(k)];
      int mode = pick(0, 2);
      if (mode == 0 && k > 0) {
        parent_[static_cast<size_t>(k)] = k - 1;
        a.push_back({"up", {K::Ent, k - 1}, true});
      } else if (mode == 1) {
        int j = pick(0, ntypes_ - 1);
        parent_[static_cast<size_t>(k)] = j;
        a.push_back({"up", {K::OEnt, j}, true});
      }
      a.push_back({"f", {K::Bool}});
      a.push_back({"n", {K::Int}});
      if (pick(0, 1)) a.push_back({"d", {K::Date}});
      if (pick(0, 1)) a.push_back({"c", {K::Enum}});
      if (pick(0, 1)) a.push_back({"on", {K::OInt}});
      if (pick(0, 1)) a.push_back({"od", {K::ODate}});
      if (pick(0, 1)) a.push_back({"oc", {K::OEnum}});
      if (pick(0, 1)) a.push_back({"cs", {K::SEnum}});
      if (pick(0, 1)) a.push_back({"rs", {K::SEnt, pick(0, ntypes_ - 1)}});
      if (pick(0, 1)) a.push_back({"r", {K::Ent, pick(0, ntypes_ - 1)}});
      if (pick(0, 1)) a.push_back({"orr", {K::OEnt, pick(0, ntypes_ - 1)}});
    }
    for (int k = 0; k < ntypes_; ++k) {
      src += fmt::format("entity T{} {{\n", k);
      for (const auto& a : attrs_[static_cast<size_t>(k)]) {
        src += fmt::format("  {}{}: {}", a.parent ? "parent " : "", a.name, tyname(a.type));
        if (!a.parent && (a.type.k == K::Bool || a.type.k == K::Int || a.type.k == K::Date ||
                          a.type.k == K::Enum || a.type.k == K::Ent))
          src += " = " + constant(a.type);
        src += "\n";
      }
      src += "}\n";
    }
    // Declared instances t{k}_{m}: a parent always comes earlier in (k, m)
    // order, so instance links never form a cycle (the checker rejects one).
    declared_.assign(static_cast<size_t>(ntypes_), 1);
    for (int k = 0; k < ntypes_; ++k) {
      if (pick(0, 1)) declared_[static_cast<size_t>(k)] = 2;
      for (int m = 0; m < declared_[static_cast<size_t>(k)]; ++m) {
        int j = parent_[static_cast<size_t>(k)];
        std::string up;
        if (j >= 0 && j < k && (!parent_optional(k) || pick(0, 2)))
          up = fmt::format(" {{ up: t{}_{} }}", j, pick(0, declared_[static_cast<size_t>(j)] - 1));
        else if (j == k && m > 0 && pick(0, 1))
          up = fmt::format(" {{ up: t{}_0 }}", k);
        src += fmt::format("T{} t{}_{}{}\n", k, k, m, up);
      }
    }
    src += fmt::format("setting sb: bool = {}\nsetting sn: int = {}\nsetting sd: date = "
                       "{}\nsetting sc: Col = {}\n",
                       constant({K::Bool}), constant({K::Int}), constant({K::Date}),
                       constant({K::Enum}));
    src += fmt::format("setting ss: set<T0> = {}\nsetting sk: set<Col> = {}\n",
                       pick(0, 1) ? "[t0_0]" : "[]", pick(0, 1) ? "[k0]" : "[]");
    int nrules = pick(0, 3);
    for (int i = 0; i < nrules; ++i) {
      static const K results[] = {K::Bool, K::Int, K::Date, K::Enum, K::Ent, K::SEnt, K::SEnum};
      Rule r{fmt::format("r{}", i), {}, {results[pick(0, 6)], pick(0, ntypes_ - 1)}};
      src += define(r, false);
    }
    int nactions = pick(1, 3);
    for (int i = 0; i < nactions; ++i) src += define({fmt::format("a{}", i), {}, {K::Bool}}, true);
    return {src, data()};
  }

private:
  int pick(int lo, int hi) { return lo >= hi ? lo : pick_(lo, hi); }

  std::string tyname(Ty t) const {
    switch (t.k) {
    case K::Bool:
      return "bool";
    case K::Int:
      return "int";
    case K::Date:
      return "date";
    case K::Enum:
      return "Col";
    case K::Ent:
      return fmt::format("T{}", t.ref);
    case K::OInt:
      return "int?";
    case K::ODate:
      return "date?";
    case K::OEnum:
      return "Col?";
    case K::OEnt:
      return fmt::format("T{}?", t.ref);
    case K::SEnt:
      return fmt::format("set<T{}>", t.ref);
    case K::SEnum:
      return "set<Col>";
    }
    return "?";
  }

  // Large constants make int overflow and dates beyond 0001-01-01..9999-12-31
  // (d + 4000000) common, so both engines' overflow rules are compared.
  std::string int_lit() {
    switch (pick(0, 9)) {
    case 0:
      return "9223372036854775807";
    case 1:
      return "0";
    case 2:
      return big_int();
    default:
      return std::to_string(pick(-3, 6));
    }
  }
  std::string big_int() {
    static const char* big[] = {"-9223372036854775807",
                                "4000000",
                                "3000000000",
                                "4611686018427387904",
                                "2932896",
                                "-2932896",
                                "3652059",
                                "-3652059",
                                "9223372036854775807"};
    return big[pick(0, 8)];
  }
  std::string date_lit() {
    switch (pick(0, 9)) {
    case 0:
      return "0001-01-01";
    case 1:
      return "9999-12-31";
    default:
      return fmt::format("2026-11-{}", pick(19, 27));
    }
  }
  std::string constant(Ty t) {
    switch (t.k) {
    case K::Bool:
      return pick(0, 1) ? "true" : "false";
    case K::Int:
      return std::to_string(pick(-3, 6));
    case K::Date:
      return date_lit();
    case K::Enum:
      return fmt::format("k{}", pick(0, nmembers_ - 1));
    default:
      return fmt::format("t{}_0", t.ref);
    }
  }

  std::string define(const Rule& base, bool action) {
    Rule r = base;
    env_.clear();
    vars_ = 0;
    int np = pick(action ? 1 : 0, 3);
    std::string params;
    for (int i = 0; i < np; ++i) {
      static const K kinds[] = {K::Ent,  K::Ent,  K::Int,  K::Date,
                                K::Enum, K::Bool, K::OInt, K::OEnt};
      Ty t{kinds[pick(0, 7)], pick(0, ntypes_ - 1)};
      if (!available(t)) t = {K::Int};
      r.params.push_back(t);
      std::string name = fmt::format("p{}", i);
      env_.push_back({name, t});
      params += fmt::format("{}{}: {}", i ? ", " : "", name, tyname(t));
    }
    std::string body = gen(r.result, pick(1, 4));
    rules_.push_back(r);
    if (action) return fmt::format("action {}({}) =\n  {}\n", r.name, params, body);
    return fmt::format("rule {}({}): {} =\n  {}\n", r.name, params, tyname(r.result), body);
  }

  static std::string par(const std::string& s) {
    for (char c : s)
      if (c == ' ') return "(" + s + ")";
    return s;
  }
  std::string sub(Ty t, int d) { return par(gen(t, d - 1)); }

  bool available(Ty t) const {
    switch (t.k) {
    case K::OInt:
      return has_attr({K::OInt});
    case K::ODate:
      return has_attr({K::ODate});
    case K::OEnt:
      return has_attr(t);
    default:
      return true;
    }
  }
  bool has_attr(Ty t) const {
    for (const auto& as : attrs_)
      for (const auto& a : as)
        if (a.type == t) return true;
    return false;
  }

  // Attribute reads that give type t: (entity expression).attr, also through
  // optional entities (attr of T? gives the optional of the attribute's type).
  std::vector<std::string> attr_reads(Ty t, int d) {
    std::vector<std::pair<int, const Attr*>> plain, opt;
    for (int k = 0; k < ntypes_; ++k)
      for (const auto& a : attrs_[static_cast<size_t>(k)]) {
        if (a.type == t) plain.push_back({k, &a});
        Ty o = opt_of(a.type);
        if (!(o == a.type) && o == t && available({K::OEnt, k})) opt.push_back({k, &a});
      }
    std::vector<std::string> out;
    if (!plain.empty()) {
      auto [k, a] = plain[static_cast<size_t>(pick(0, static_cast<int>(plain.size()) - 1))];
      out.push_back(sub({K::Ent, k}, d) + "." + a->name);
    }
    if (!opt.empty()) {
      auto [k, a] = opt[static_cast<size_t>(pick(0, static_cast<int>(opt.size()) - 1))];
      out.push_back(sub({K::OEnt, k}, d) + "." + a->name);
    }
    return out;
  }

  std::string call(Ty t, int d) {
    std::vector<const Rule*> cands;
    for (const auto& r : rules_)
      if (r.result == t) cands.push_back(&r);
    if (cands.empty()) return "";
    const Rule* r = cands[static_cast<size_t>(pick(0, static_cast<int>(cands.size()) - 1))];
    std::string s = r->name + "(";
    for (size_t i = 0; i < r->params.size(); ++i) s += (i ? ", " : "") + gen(r->params[i], d - 1);
    return s + ")";
  }

  std::string leaf(Ty t) {
    std::vector<std::string> vars;
    for (const auto& [n, vt] : env_)
      if (vt == t) vars.push_back(n);
    if (!vars.empty() && (opts_.prefer_attrs || pick(0, 1)))
      return vars[static_cast<size_t>(pick(0, static_cast<int>(vars.size()) - 1))];
    switch (t.k) {
    case K::Bool:
      return pick(0, 2) == 0 ? "sb" : (pick(0, 1) ? "true" : "false");
    case K::Int:
      return pick(0, 3) == 0 ? "sn" : int_lit();
    case K::Date:
      return pick(0, 2) == 0 ? "today" : (pick(0, 1) ? "sd" : date_lit());
    case K::Enum:
      return pick(0, 3) == 0 ? "sc" : constant(t);
    case K::Ent:
      return fmt::format("t{}_{}", t.ref, 0);
    case K::SEnt:
      if (t.ref == 0 && pick(0, 2) == 0) return "ss";
      return pick(0, 1) ? fmt::format("T{}", t.ref) : fmt::format("[t{}_0]", t.ref);
    case K::SEnum:
      return pick(0, 1) ? "sk" : fmt::format("[k{}]", pick(0, nmembers_ - 1));
    case K::OEnum:
      return fmt::format("max({})", leaf({K::SEnum}));
    default: {
      // Optional scalars/entities: an attribute of a declared instance.
      for (int k = 0; k < ntypes_; ++k)
        for (const auto& a : attrs_[static_cast<size_t>(k)])
          if (a.type == t) return fmt::format("t{}_0.{}", k, a.name);
      return "";
    }
    }
  }

  std::string bind(Ty dom, Ty& elem, std::string& var, int d) {
    var = fmt::format("v{}", vars_++);
    std::string s;
    if (dom.k == K::SEnt && pick(0, 2) == 0)
      s = fmt::format("T{}", dom.ref);
    else
      s = sub(dom, d);
    elem = dom.k == K::SEnt ? Ty{K::Ent, dom.ref} : Ty{K::Enum};
    return s;
  }
  Ty any_set() { return pick(0, 2) ? Ty{K::SEnt, pick(0, ntypes_ - 1)} : Ty{K::SEnum}; }
  // A scope with one more variable.
  template <typename F> std::string scoped(const std::string& var, Ty t, F&& f) {
    env_.push_back({var, t});
    std::string s = f();
    env_.pop_back();
    return s;
  }

  std::string gen(Ty t, int d) {
    if (d <= 0 || pick(0, 5) == 0) {
      std::string l = leaf(t);
      if (!l.empty()) return l;
      if (d <= 0) d = 1;
    }
    for (int tries = 0; tries < 8; ++tries) {
      std::string s = production(t, d);
      if (!s.empty()) return s;
    }
    std::string l = leaf(t);
    return l.empty() ? production(t, 1) : l;
  }

  std::string production(Ty t, int d) {
    if (opts_.prefer_attrs && pick(0, 3) == 0) {
      auto reads = attr_reads(t, d);
      if (!reads.empty())
        return reads[static_cast<size_t>(pick(0, static_cast<int>(reads.size()) - 1))];
    }
    int c = pick(0, 11);
    if (c == 10) {
      auto reads = attr_reads(t, d);
      return reads.empty()
                 ? ""
                 : reads[static_cast<size_t>(pick(0, static_cast<int>(reads.size()) - 1))];
    }
    if (c == 11) return call(t, d);
    if (c == 9)
      return fmt::format("if {} then {} else {}", sub({K::Bool}, d), sub(t, d), sub(t, d));
    switch (t.k) {
    case K::Bool:
      return gen_bool(c, d);
    case K::Int:
      switch (c) {
      case 0:
      case 1: {
        static const char* ops[] = {"+", "-", "*", "/", "%"};
        const char* op = ops[pick(0, 4)];
        return fmt::format("{} {} {}", sub(t, d), op, pick(0, 3) == 0 ? "0" : sub(t, d));
      }
      case 2:
        return "-" + sub(t, d);
      case 3:
        return pick(0, 2) == 0 ? fmt::format("count(T{})", pick(0, ntypes_ - 1))
                               : fmt::format("count({})", gen(any_set(), d - 1));
      case 4:
        return available({K::OInt}) ? fmt::format("{} ?? {}", sub({K::OInt}, d), sub(t, d)) : "";
      case 5:
        return fmt::format("{} - {}", sub({K::Date}, d), sub({K::Date}, d));
      case 6:
        return fmt::format("{}({}, {})", pick(0, 1) ? "max" : "min", gen(t, d - 1), gen(t, d - 1));
      default:
        return leaf(t);
      }
    case K::Date:
      switch (c) {
      case 0:
        return fmt::format("{} + {}", sub(t, d), sub({K::Int}, d));
      case 1:
        return fmt::format("{} + {}", sub({K::Int}, d), sub(t, d));
      case 2:
        return fmt::format("{} - {}", sub(t, d), sub({K::Int}, d));
      case 3:
        return available({K::ODate}) ? fmt::format("{} ?? {}", sub({K::ODate}, d), sub(t, d)) : "";
      case 4:
        return fmt::format("{}({}, {})", pick(0, 1) ? "max" : "min", gen(t, d - 1), gen(t, d - 1));
      case 5: // leaves the calendar (or nearly): saturates
        return fmt::format("{} {} {}", sub(t, d), pick(0, 1) ? "+" : "-", big_int());
      default:
        return leaf(t);
      }
    case K::Enum:
      switch (c) {
      case 0:
      case 1:
        return fmt::format("{} ?? {}", sub({K::OEnum}, d), sub(t, d));
      case 2:
        return fmt::format("{}({}, {})", pick(0, 1) ? "max" : "min", gen(t, d - 1), gen(t, d - 1));
      default:
        return leaf(t);
      }
    case K::Ent:
      if (c < 3 && available({K::OEnt, t.ref}))
        return fmt::format("{} ?? {}", sub({K::OEnt, t.ref}, d), sub(t, d));
      return c < 6 ? "" : leaf(t);
    case K::OInt:
    case K::ODate:
    case K::OEnt:
      if (c < 3) {
        Ty base = t.k == K::OInt ? Ty{K::Int} : t.k == K::ODate ? Ty{K::Date} : Ty{K::Ent, t.ref};
        return fmt::format("if {} then {} else {}", sub({K::Bool}, d), sub(base, d), sub(t, d));
      }
      return "";
    case K::OEnum:
      if (c < 4) return fmt::format("{}({})", pick(0, 1) ? "max" : "min", gen({K::SEnum}, d - 1));
      return "";
    case K::SEnt:
    case K::SEnum: {
      Ty elem = t.k == K::SEnt ? Ty{K::Ent, t.ref} : Ty{K::Enum};
      switch (c) {
      case 0:
      case 1: {
        static const char* ops[] = {"union", "intersect", "except"};
        return fmt::format("{} {} {}", sub(t, d), ops[pick(0, 2)], sub(t, d));
      }
      case 2:
        return fmt::format("[{}, {}]", gen(elem, d - 1), gen(elem, d - 1));
      case 3:
      case 4: {
        Ty e;
        std::string v;
        std::string dom = bind(t, e, v, d);
        return scoped(v, e, [&] {
          return fmt::format("{{{} in {} where {}}}", v, dom, gen({K::Bool}, d - 1));
        });
      }
      case 5:
      case 6: {
        Ty e;
        std::string v;
        std::string dom = bind(any_set(), e, v, d);
        return scoped(v, e, [&] {
          std::string body = gen(elem, d - 1);
          if (pick(0, 1))
            return fmt::format("{{{} for {} in {} where {}}}", body, v, dom, gen({K::Bool}, d - 1));
          return fmt::format("{{{} for {} in {}}}", body, v, dom);
        });
      }
      default:
        return leaf(t);
      }
    }
    }
    return "";
  }

  std::string gen_bool(int c, int d) {
    switch (c) {
    case 0:
      return "not " + sub({K::Bool}, d);
    case 1: {
      static const char* ops[] = {"and", "or", "implies"};
      return fmt::format("{} {} {}", sub({K::Bool}, d), ops[pick(0, 2)], sub({K::Bool}, d));
    }
    case 2: {
      static const K ord[] = {K::Int, K::Date, K::Enum};
      static const char* ops[] = {"<", "<=", ">", ">=", "==", "!="};
      Ty x{ord[pick(0, 2)]};
      return fmt::format("{} {} {}", sub(x, d), ops[pick(0, 5)], sub(x, d));
    }
    case 3: {
      static const K opts[] = {K::OInt, K::ODate, K::OEnum, K::OEnt};
      Ty o{opts[pick(0, 3)], pick(0, ntypes_ - 1)};
      if (!available(o)) return "";
      Ty base = o.k == K::OInt    ? Ty{K::Int}
                : o.k == K::ODate ? Ty{K::Date}
                : o.k == K::OEnum ? Ty{K::Enum}
                                  : Ty{K::Ent, o.ref};
      switch (pick(0, 2)) {
      case 0:
        return fmt::format("{} {} none", sub(o, d), pick(0, 1) ? "==" : "!=");
      case 1:
        return fmt::format("{} {} {}", sub(o, d), pick(0, 1) ? "==" : "!=", sub(base, d));
      default:
        return fmt::format("{} {} {}", sub(o, d), pick(0, 1) ? "==" : "!=", sub(o, d));
      }
    }
    case 4: {
      Ty e{K::Ent, pick(0, ntypes_ - 1)};
      return fmt::format("{} {} {}", sub(e, d), pick(0, 1) ? "==" : "!=", sub(e, d));
    }
    case 5: {
      Ty s = any_set();
      return fmt::format("{} {} {}", sub(s, d), pick(0, 1) ? "==" : "!=", sub(s, d));
    }
    case 6: {
      Ty s = any_set();
      Ty e = s.k == K::SEnt ? Ty{K::Ent, s.ref} : Ty{K::Enum};
      if (pick(0, 2) == 0 && available(opt_of(e))) e = opt_of(e);
      return fmt::format("{} {} {}", sub(e, d), pick(0, 3) ? "in" : "not in", sub(s, d));
    }
    case 7: {
      Ty s = any_set();
      return fmt::format("{} meets {}", sub(s, d), sub(s, d));
    }
    case 8: {
      if (!opts_.within) return "";
      // b's type is a's type or one of its ancestor types (a cycle of types
      // makes each of them an ancestor of the others).
      int i = pick(0, ntypes_ - 1);
      std::vector<int> above{i};
      for (int t = parent_[static_cast<size_t>(i)];
           t >= 0 && std::find(above.begin(), above.end(), t) == above.end();
           t = parent_[static_cast<size_t>(t)])
        above.push_back(t);
      int j = above[static_cast<size_t>(pick(0, static_cast<int>(above.size()) - 1))];
      Ty a{K::Ent, i};
      if (pick(0, 3) == 0 && available({K::OEnt, i})) a = {K::OEnt, i};
      return fmt::format("{} within {}", sub(a, d), sub({K::Ent, j}, d));
    }
    default: {
      Ty e;
      std::string v;
      std::string dom = bind(any_set(), e, v, d);
      const char* q = pick(0, 1) ? "any" : "all";
      return scoped(
          v, e, [&] { return fmt::format("{} {} in {}: {}", q, v, dom, gen({K::Bool}, d - 1)); });
    }
    }
  }

  // Tenant data: a few instances per type, random attribute values.
  std::string data() {
    std::vector<std::vector<std::string>> ids(static_cast<size_t>(ntypes_));
    std::vector<int> count(static_cast<size_t>(ntypes_));
    for (int k = 0; k < ntypes_; ++k) {
      count[static_cast<size_t>(k)] = pick(0, opts_.max_rows);
      ids[static_cast<size_t>(k)].push_back(fmt::format("t{}_0", k));
      for (int i = 0; i < count[static_cast<size_t>(k)]; ++i)
        ids[static_cast<size_t>(k)].push_back(fmt::format("x{}_{}", k, i));
    }
    auto id_of = [&](int k) {
      const auto& v = ids[static_cast<size_t>(k)];
      return v[static_cast<size_t>(pick(0, static_cast<int>(v.size()) - 1))];
    };
    std::string out;
    for (int k = 0; k < ntypes_; ++k) {
      if (count[static_cast<size_t>(k)] == 0) continue;
      out += fmt::format("T{}:\n", k);
      for (int i = 0; i < count[static_cast<size_t>(k)]; ++i) {
        out += fmt::format("  - {{id: x{}_{}", k, i);
        for (const auto& a : attrs_[static_cast<size_t>(k)]) {
          if (a.parent) {
            out += fmt::format(", {}: {}", a.name, data_parent(k, i, ids));
            continue;
          }
          if (pick(0, 1)) continue;
          std::string v;
          switch (a.type.k) {
          case K::OInt:
          case K::ODate:
          case K::OEnum:
          case K::OEnt:
            if (pick(0, 2) == 0) {
              v = "~";
              break;
            }
            [[fallthrough]];
          default: {
            Ty base = a.type.k == K::OInt    ? Ty{K::Int}
                      : a.type.k == K::ODate ? Ty{K::Date}
                      : a.type.k == K::OEnum ? Ty{K::Enum}
                      : a.type.k == K::OEnt  ? Ty{K::Ent, a.type.ref}
                                             : a.type;
            if (base.k == K::SEnt || base.k == K::SEnum) {
              v = "[";
              int n = pick(0, 3);
              for (int j = 0; j < n; ++j)
                v += (j ? ", " : "") + (base.k == K::SEnt
                                            ? id_of(base.ref)
                                            : fmt::format("k{}", pick(0, nmembers_ - 1)));
              v += "]";
            } else if (base.k == K::Ent) {
              v = id_of(base.ref);
            } else if (base.k == K::Int) {
              v = pick(0, 9) == 0 ? "-9223372036854775807" : std::to_string(pick(-4, 8));
            } else {
              v = constant(base);
            }
          }
          }
          out += fmt::format(", {}: {}", a.name, v);
        }
        out += "}\n";
      }
    }
    return out;
  }

  bool parent_optional(int k) const {
    for (const auto& a : attrs_[static_cast<size_t>(k)])
      if (a.parent) return a.type.k == K::OEnt;
    return false;
  }

  // The parent of data instance x{k}_{i}: an instance earlier in load order
  // (every declared one, data ones of lower types or lower numbers), so the
  // data has no parent cycle; none sometimes when the parent is optional.
  std::string data_parent(int k, int i, const std::vector<std::vector<std::string>>& ids) {
    int j = parent_[static_cast<size_t>(k)];
    if (parent_optional(k) && pick(0, 3) == 0) return "~";
    const auto& pool = ids[static_cast<size_t>(j)];
    int declared = declared_[static_cast<size_t>(j)];
    int n = j < k ? static_cast<int>(pool.size()) - 1 : j == k ? i : 0; // data ones usable
    int c = pick(0, declared + n - 1);
    return c < declared ? fmt::format("t{}_{}", j, c) : pool[static_cast<size_t>(c - declared + 1)];
  }

  const Chooser& pick_;
  GenOptions opts_;
  std::vector<int> parent_;   // per type: its parent type, or -1
  std::vector<int> declared_; // per type: declared instances t{k}_0..
  int ntypes_ = 1, nmembers_ = 1, vars_ = 0;
  std::vector<std::vector<Attr>> attrs_;
  std::vector<std::pair<std::string, Ty>> env_;
  std::vector<Rule> rules_;
};

} // namespace detail

inline GeneratedPolicy generate_policy(const Chooser& pick, GenOptions options = {}) {
  return detail::Gen(pick, options).run();
}

} // namespace keyplan::testgen
