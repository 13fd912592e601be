#include "runtime/data_fast.hpp"

#include "runtime/data_chunks.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <libfyaml.h>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace keyplan::rt {

namespace {

// One scalar as the reference loader sees it through yaml-cpp: a plain
// null (empty, ~, null, Null, NULL) is no scalar at all, and only a plain
// scalar may mean `none` (a quoted one has yaml-cpp's tag "!").
struct Sc {
  std::string_view text;
  bool plain = true;
  bool null = false;
};

// A value: one scalar, or a list of scalars (`elems`).
struct Node {
  bool seq = false;
  Sc scalar;
  const Sc* elems = nullptr;
  size_t count = 0;
};

enum class Res { Ok, Unresolved, Bad };

struct Fail {}; // thrown inside the loader: fall back to the reference loader

// A buffered scalar: text in the batch's arena.
struct Stored {
  uint32_t off, len;
  bool plain, null;
};

// An attribute value of a buffered instance: scalars [first, first+count).
struct Cell {
  int32_t attr;
  bool seq;
  uint32_t first, count;
};

struct Inst {
  int32_t row = -1;
  bool is_new = false;
  uint32_t first_cell = 0, cells = 0;
  std::vector<uint64_t> given; // attributes given, as bits
};

// A value whose entity reference was not (yet) an id: resolved at the end.
struct Deferred {
  int32_t type, row, attr;
  bool seq;
  std::vector<std::string> texts;
  std::vector<Sc> flags; // plain/null per text
};

struct Parser {
  fy_diag* diag = nullptr;
  fy_parser* fyp = nullptr;
  fy_event* ev = nullptr;
  ~Parser() {
    if (ev) fy_parser_event_free(fyp, ev);
    if (fyp) fy_parser_destroy(fyp);
    if (diag) fy_diag_destroy(diag);
  }
  // libfyaml prints its errors even when quiet: they go nowhere here (the
  // reference loader reports every error).
  bool open(std::string_view text) {
    fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = nullptr;
    dc.output_fn = [](fy_diag*, void*, const char*, size_t) {};
    diag = fy_diag_create(&dc);
    fy_parse_cfg cfg{};
    cfg.flags = FYPCF_QUIET;
    cfg.diag = diag;
    fyp = diag ? fy_parser_create(&cfg) : nullptr;
    return fyp && fy_parser_set_string(fyp, text.data(), text.size()) == 0;
  }
  // The next event (the previous one is freed); a parse error fails.
  fy_event& next() {
    if (ev) fy_parser_event_free(fyp, ev);
    ev = fy_parser_parse(fyp);
    if (!ev || fy_parser_get_stream_error(fyp)) throw Fail{};
    switch (ev->type) { // anchors, tags and aliases: the reference loader's checks
    case FYET_ALIAS:
      throw Fail{};
    case FYET_SCALAR:
      if (ev->scalar.anchor || ev->scalar.tag) throw Fail{};
      break;
    case FYET_MAPPING_START:
      if (ev->mapping_start.anchor || ev->mapping_start.tag) throw Fail{};
      break;
    case FYET_SEQUENCE_START:
      if (ev->sequence_start.anchor || ev->sequence_start.tag) throw Fail{};
      break;
    default:
      break;
    }
    return *ev;
  }
};

bool is_null_text(std::string_view t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

class FastLoader {
public:
  FastLoader(Snapshot& stage, std::string_view text, const Snapshot& original)
      : sn_(stage), original_(original), p_(stage.policy()), text_(text) {
    original_rows_.resize(p_.entities.size());
    edited_.resize(p_.entities.size());
    for (size_t t = 0; t < p_.entities.size(); ++t) {
      original_rows_[t] = original.count(static_cast<int32_t>(t));
      edited_[t].assign(static_cast<size_t>(original_rows_[t]), 0);
    }
  }

  void run() {
    if (!ps_.open(text_)) throw Fail{};
    // Room for each type's instances, counted first, so that no column
    // moves while a large tenant loads (peak memory; only a hint).
    try {
      for (const auto& [key, items] : count_block_items(text_))
        if (int32_t t = p_.find_entity(std::string(key)); t >= 0 && items > 0)
          sn_.reserve(t, items);
    } catch (const std::bad_alloc&) {
      // an overcounted hint: the columns grow as they go
    }
    expect(FYET_STREAM_START);
    expect(FYET_DOCUMENT_START);
    expect(FYET_MAPPING_START);
    std::vector<uint8_t> type_seen(p_.entities.size(), 0);
    while (true) {
      fy_event& e = ps_.next();
      if (e.type == FYET_MAPPING_END) break;
      if (e.type != FYET_SCALAR) throw Fail{};
      Sc key = scalar(e.scalar.value);
      if (key.null) throw Fail{};
      int32_t type = p_.find_entity(std::string(key.text));
      if (type < 0 || type_seen[static_cast<size_t>(type)]++) throw Fail{};
      fy_event& list = ps_.next();
      if (list.type == FYET_SCALAR && scalar(list.scalar.value).null) continue; // `Type:` alone
      if (list.type != FYET_SEQUENCE_START) throw Fail{};
      read_list(type);
    }
    expect(FYET_DOCUMENT_END);
    expect(FYET_STREAM_END); // a second document: the reference loader's
    resolve_deferred();
    if (has_parent_cycle()) throw Fail{};
  }

  // Mirrors Loader::value in data_loader.cpp (without its diagnostics).
  Res value(ir::TypeId t, const Node& n, ir::Value& out) {
    const ir::TypeTable& tt = p_.types;
    if (tt.is_optional(t)) {
      if (!n.seq && n.scalar.null) {
        out = ir::Value::none();
        return Res::Ok;
      }
      ir::TypeId inner = tt[t].elem;
      if (!n.seq && n.scalar.plain && n.scalar.text == "none" && !names_none(inner)) {
        out = ir::Value::none();
        return Res::Ok;
      }
      Res r = value(inner, n, out);
      if (r == Res::Ok && out.tag == ir::Value::Tag::Int && out.num == kNone) return Res::Bad;
      return r;
    }
    const ir::Type& ty = tt[t];
    if (ty.kind == ir::TypeKind::Set) {
      if (!n.seq) return Res::Bad;
      std::vector<ir::Value> elems;
      elems.reserve(n.count);
      Res all = Res::Ok;
      for (size_t i = 0; i < n.count; ++i) {
        Node e;
        e.scalar = n.elems[i];
        ir::Value v;
        Res r = value(ty.elem, e, v);
        if (r == Res::Bad) return r;
        if (r == Res::Unresolved) all = r;
        if (all == Res::Ok) elems.push_back(std::move(v));
      }
      if (all == Res::Ok) out = ir::Value::set(std::move(elems));
      return all;
    }
    if (n.seq || n.scalar.null) return Res::Bad;
    std::string_view text = n.scalar.text;
    switch (ty.kind) {
    case ir::TypeKind::Bool:
      if (text == "true" || text == "True" || text == "TRUE") {
        out = ir::Value::boolean(true);
        return Res::Ok;
      }
      if (text == "false" || text == "False" || text == "FALSE") {
        out = ir::Value::boolean(false);
        return Res::Ok;
      }
      return Res::Bad;
    case ir::TypeKind::Int: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return Res::Bad;
      out = ir::Value::integer(v);
      return Res::Ok;
    }
    case ir::TypeKind::String:
      out = ir::Value::string(std::string(text));
      return Res::Ok;
    case ir::TypeKind::Date: {
      int64_t days = 0;
      if (!ir::parse_date(std::string(text), days)) return Res::Bad;
      out = ir::Value::date(days);
      return Res::Ok;
    }
    case ir::TypeKind::Enum: {
      const ir::EnumType& e = p_.enums[static_cast<size_t>(ty.ref)];
      for (size_t i = 0; i < e.members.size(); ++i)
        if (e.members[i] == text) {
          out = ir::Value::enumerator(ty.ref, static_cast<int64_t>(i));
          return Res::Ok;
        }
      return Res::Bad;
    }
    case ir::TypeKind::Entity: {
      int32_t row = sn_.find(ty.ref, text);
      if (row < 0) return Res::Unresolved;
      out = ir::Value::entity(ty.ref, row);
      return Res::Ok;
    }
    default:
      return Res::Bad;
    }
  }

private:
  void expect(fy_event_type type) {
    if (ps_.next().type != type) throw Fail{};
  }

  // A scalar token as the reference loader would read it; anything whose
  // reading might differ between the two parsers falls back.
  Sc scalar(fy_token* tok) {
    fy_scalar_style style = fy_token_scalar_style(tok);
    if (style != FYSS_PLAIN && style != FYSS_SINGLE_QUOTED && style != FYSS_DOUBLE_QUOTED)
      throw Fail{};
    const fy_mark* b = fy_token_start_mark(tok);
    const fy_mark* e = fy_token_end_mark(tok);
    if (!b || !e || b->line != e->line || e->input_pos > text_.size()) throw Fail{};
    if (style == FYSS_DOUBLE_QUOTED &&
        text_.substr(b->input_pos, e->input_pos - b->input_pos).find('\\') != std::string::npos)
      throw Fail{};
    size_t len = 0;
    const char* s = fy_token_get_text(tok, &len);
    if (!s) throw Fail{};
    Sc out;
    out.text = std::string_view(s, len);
    out.plain = style == FYSS_PLAIN;
    out.null = out.plain && is_null_text(out.text);
    return out;
  }

  uint32_t store(const Sc& s) {
    stored_.push_back(Stored{static_cast<uint32_t>(arena_.size()),
                             static_cast<uint32_t>(s.text.size()), s.plain, s.null});
    arena_.append(s.text);
    return static_cast<uint32_t>(stored_.size() - 1);
  }

  void read_list(int32_t type) {
    const ir::EntityType& et = p_.entities[static_cast<size_t>(type)];
    const size_t words = (et.attributes.size() + 63) / 64;
    while (true) {
      fy_event& e = ps_.next();
      if (e.type == FYET_SEQUENCE_END) break;
      if (e.type != FYET_MAPPING_START) throw Fail{};
      Inst inst;
      inst.first_cell = static_cast<uint32_t>(cells_.size());
      inst.given.assign(words, 0);
      bool has_id = false, has_allow = false;
      while (true) {
        fy_event& k = ps_.next();
        if (k.type == FYET_MAPPING_END) break;
        if (k.type != FYET_SCALAR) throw Fail{};
        Sc key = scalar(k.scalar.value);
        if (key.null) throw Fail{};
        if (key.text == "id") {
          fy_event& v = ps_.next();
          if (has_id || v.type != FYET_SCALAR) throw Fail{};
          Sc id = scalar(v.scalar.value);
          if (id.null || id.text.empty() || id.text == "none") throw Fail{};
          has_id = true;
          ids_.emplace_back(id.text);
          continue;
        }
        if (key.text == "_allow") { // checks silenced: names must be declared checks
          if (has_allow || ps_.next().type != FYET_SEQUENCE_START) throw Fail{};
          has_allow = true;
          for (fy_event* c = &ps_.next(); c->type != FYET_SEQUENCE_END; c = &ps_.next()) {
            if (c->type != FYET_SCALAR) throw Fail{};
            Sc name = scalar(c->scalar.value);
            if (name.null || p_.find_check(std::string(name.text)) < 0) throw Fail{};
          }
          continue;
        }
        int32_t a = et.find_attribute(std::string(key.text));
        if (a < 0) throw Fail{};
        uint64_t bit = uint64_t{1} << (a % 64);
        if (inst.given[static_cast<size_t>(a / 64)] & bit) throw Fail{}; // duplicate key
        inst.given[static_cast<size_t>(a / 64)] |= bit;
        Cell cell{a, false, static_cast<uint32_t>(stored_.size()), 0};
        fy_event& v = ps_.next();
        if (v.type == FYET_SCALAR) {
          store(scalar(v.scalar.value));
          cell.count = 1;
        } else if (v.type == FYET_SEQUENCE_START) {
          cell.seq = true;
          for (fy_event* c = &ps_.next(); c->type != FYET_SEQUENCE_END; c = &ps_.next()) {
            if (c->type != FYET_SCALAR) throw Fail{};
            store(scalar(c->scalar.value));
            ++cell.count;
          }
        } else {
          throw Fail{};
        }
        cells_.push_back(cell);
      }
      if (!has_id) throw Fail{};
      inst.cells = static_cast<uint32_t>(cells_.size()) - inst.first_cell;
      batch_.push_back(std::move(inst));
      if (batch_.size() == kBatch) flush(type);
    }
    flush(type);
  }

  // Appends the batch's new ids, then converts and stores its values.
  void flush(int32_t type) {
    if (batch_.empty()) return;
    const size_t t = static_cast<size_t>(type);
    const ir::EntityType& et = p_.entities[t];
    std::vector<std::vector<std::string>> new_ids(p_.entities.size());
    int32_t next_row = sn_.count(type);
    for (size_t i = 0; i < batch_.size(); ++i) {
      Inst& inst = batch_[i];
      // Only the table before this file is searched (often empty): an id
      // given twice among the new ones shows in the index after append.
      int32_t row = original_rows_[t] ? original_.find(type, ids_[i]) : -1;
      if (row >= 0) {
        // An edit of an instance loaded before; an id given twice falls back.
        if (edited_[t][static_cast<size_t>(row)]++) throw Fail{};
        inst.row = row;
      } else {
        inst.is_new = true;
        inst.row = next_row++;
        new_ids[t].push_back(std::move(ids_[i]));
      }
    }
    if (!new_ids[t].empty()) {
      sn_.append(new_ids);
      // An id given twice within the batch: one index entry for two rows.
      if (sn_.table(type).index.size() != sn_.table(type).ids.size()) throw Fail{};
    }
    std::vector<Sc> elems;
    for (const Inst& inst : batch_) {
      for (uint32_t c = inst.first_cell; c < inst.first_cell + inst.cells; ++c) {
        const Cell& cell = cells_[c];
        elems.clear();
        for (uint32_t s = cell.first; s < cell.first + cell.count; ++s) {
          const Stored& st = stored_[s];
          elems.push_back(Sc{std::string_view(arena_).substr(st.off, st.len), st.plain, st.null});
        }
        Node n;
        n.seq = cell.seq;
        if (cell.seq) {
          n.elems = elems.data();
          n.count = elems.size();
        } else {
          n.scalar = elems.front();
        }
        put(type, inst.row, cell.attr, n);
      }
      if (!inst.is_new) continue;
      for (size_t a = 0; a < et.attributes.size(); ++a) {
        bool given = inst.given[a / 64] & (uint64_t{1} << (a % 64));
        const ir::Attribute& attr = et.attributes[a];
        if (!given && !attr.default_value && !p_.types.is_optional(attr.type) &&
            !p_.types.is_set(attr.type))
          throw Fail{}; // a required attribute is missing
      }
    }
    batch_.clear();
    ids_.clear();
    cells_.clear();
    stored_.clear();
    arena_.clear();
  }

  void put(int32_t type, int32_t row, int32_t attr, const Node& n) {
    const ir::Attribute& a =
        p_.entities[static_cast<size_t>(type)].attributes[static_cast<size_t>(attr)];
    if (put_in_place(type, row, attr, a.type, n)) return;
    ir::Value v;
    Res r = value(a.type, n, v);
    if (r == Res::Bad) throw Fail{};
    if (r == Res::Ok) {
      sn_.set(type, row, attr, v);
      return;
    }
    Deferred d{type, row, attr, n.seq, {}, {}};
    const Sc* first = n.seq ? n.elems : &n.scalar;
    size_t count = n.seq ? n.count : 1;
    for (size_t i = 0; i < count; ++i) {
      d.texts.emplace_back(first[i].text);
      d.flags.push_back(first[i]);
    }
    deferred_.push_back(std::move(d));
  }

  // The two common cells written without an ir::Value: a set of entities
  // whose ids are all known, and a string. False: the general way.
  bool put_in_place(int32_t type, int32_t row, int32_t attr, ir::TypeId t, const Node& n) {
    const ir::TypeTable& tt = p_.types;
    const ir::Type& ty = tt[t];
    const size_t r = static_cast<size_t>(row);
    if (ty.kind == ir::TypeKind::String && !n.seq && !n.scalar.null) {
      sn_.column_for_load(type, attr).strings.set(r, n.scalar.text);
      return true;
    }
    if (ty.kind != ir::TypeKind::Set || !n.seq || tt[ty.elem].kind != ir::TypeKind::Entity)
      return false;
    const int32_t elem = tt[ty.elem].ref;
    rows_.clear();
    for (size_t i = 0; i < n.count; ++i) {
      if (n.elems[i].null) return false;
      int32_t e = sn_.find(elem, n.elems[i].text);
      if (e < 0) return false; // unknown (yet): deferred or refused the general way
      rows_.push_back(e);
    }
    Column& c = sn_.column_for_load(type, attr);
    uint64_t* w = c.words.data() + r * c.stride;
    std::fill(w, w + c.stride, 0);
    for (int32_t e : rows_) w[static_cast<size_t>(e) / 64] |= uint64_t{1} << (e % 64);
    if (!c.none.empty()) c.none[r] = 0;
    return true;
  }

  void resolve_deferred() {
    for (Deferred& d : deferred_) {
      for (size_t i = 0; i < d.texts.size(); ++i) d.flags[i].text = d.texts[i];
      Node n;
      n.seq = d.seq;
      if (d.seq) {
        n.elems = d.flags.data();
        n.count = d.flags.size();
      } else {
        n.scalar = d.flags.front();
      }
      const ir::Attribute& a =
          p_.entities[static_cast<size_t>(d.type)].attributes[static_cast<size_t>(d.attr)];
      ir::Value v;
      if (value(a.type, n, v) != Res::Ok) throw Fail{};
      sn_.set(d.type, d.row, d.attr, v);
    }
  }

  // Whether `none` is a member or id of type t (then it means that). New
  // ids never are `none` here, so this does not change during the load.
  bool names_none(ir::TypeId t) const {
    const ir::Type& ty = p_.types[t];
    if (ty.kind == ir::TypeKind::Enum) {
      const auto& m = p_.enums[static_cast<size_t>(ty.ref)].members;
      return std::find(m.begin(), m.end(), "none") != m.end();
    }
    if (ty.kind == ir::TypeKind::Entity) return sn_.find(ty.ref, "none") >= 0;
    return ty.kind == ir::TypeKind::String;
  }

  // Whether some instance's parent chain never ends (the reference loader
  // reports it; see check_cycles in data_loader.cpp).
  bool has_parent_cycle() const {
    const ir::TypeTable& tt = p_.types;
    std::vector<std::vector<uint8_t>> state(static_cast<size_t>(sn_.entity_count()));
    for (int32_t t = 0; t < sn_.entity_count(); ++t)
      state[static_cast<size_t>(t)].assign(static_cast<size_t>(sn_.count(t)), 0);
    std::vector<std::pair<int32_t, int32_t>> path;
    for (int32_t t0 = 0; t0 < sn_.entity_count(); ++t0)
      for (int32_t r0 = 0; r0 < sn_.count(t0); ++r0) {
        path.clear();
        int32_t t = t0, r = r0;
        while (true) {
          uint8_t& st = state[static_cast<size_t>(t)][static_cast<size_t>(r)];
          if (st == 2) break;
          if (st == 1) return true;
          st = 1;
          path.emplace_back(t, r);
          const EntityTable& tab = sn_.table(t);
          if (tab.parent_attr < 0) break;
          const Column& c = tab.columns[static_cast<size_t>(tab.parent_attr)];
          int64_t parent = c.scalars[static_cast<size_t>(r)];
          if (c.optional && parent == kNone) break;
          int32_t pt = tt[tt.strip_optional(c.type)].ref;
          if (pt < 0 || parent < 0 || parent >= sn_.count(pt)) break;
          t = pt;
          r = static_cast<int32_t>(parent);
        }
        for (auto& [t1, r1] : path) state[static_cast<size_t>(t1)][static_cast<size_t>(r1)] = 2;
      }
    return false;
  }

  static constexpr size_t kBatch = 16384;

  Snapshot& sn_;
  const Snapshot& original_; // before this file: its ids are edits, not new
  const ir::Policy& p_;
  std::string_view text_;
  Parser ps_;
  std::vector<int32_t> original_rows_;
  std::vector<std::vector<uint8_t>> edited_; // original rows edited by this file
  std::vector<Inst> batch_;
  std::vector<std::string> ids_; // of the batch's instances
  std::vector<Cell> cells_;
  std::vector<Stored> stored_;
  std::string arena_;
  std::vector<Deferred> deferred_;
  std::vector<int32_t> rows_;
};

} // namespace

FastLoad load_data_fast(Snapshot& snapshot, std::string_view text) {
  Snapshot stage = snapshot;
  try {
    FastLoader loader(stage, text, snapshot);
    loader.run();
  } catch (const Fail&) {
    return FastLoad::Fallback;
  }
  snapshot = std::move(stage);
  return FastLoad::Loaded;
}

} // namespace keyplan::rt
