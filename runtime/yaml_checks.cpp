#include "runtime/yaml_checks.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::rt {

YamlLimits YamlLimits::for_size(size_t bytes) {
  YamlLimits l;
  // Without aliases a document has fewer nodes than bytes; 2M visits take
  // about 0.2 s, so small inputs never hit the bound by accident.
  l.max_nodes = 2'000'000 + 16 * static_cast<uint64_t>(bytes);
  l.max_depth = 64; // keyplan's own formats nest 6 deep at most
  return l;
}

Span yaml_span(const YAML::Node& n, int file, const YamlMarkShift& shift, const Span& fallback) {
  YAML::Mark m = n.Mark();
  if (m.is_null() || m.line < 0) return fallback.valid() ? fallback : Span{file, 1, 1, 1, 2, 0, 1};
  Span s;
  s.file = file;
  s.line = static_cast<uint32_t>(m.line + shift.line) + 1;
  s.col = static_cast<uint32_t>(m.column) + 1;
  s.begin = static_cast<uint32_t>(m.pos + shift.pos);
  uint32_t width = 1;
  if (n.IsScalar()) {
    width = static_cast<uint32_t>(n.Scalar().size()) + (n.Tag() == "!" ? 2 : 0);
    if (width == 0) width = 1;
  }
  s.end = s.begin + width;
  s.end_line = s.line;
  s.end_col = s.col + width;
  return s;
}

namespace {

// A map or list being walked: the iterator of the next child.
struct Frame {
  YAML::Node node;
  YAML::const_iterator it, end;
  bool map;
  uint32_t depth;
};

std::string shown(const std::string& key) {
  // One named result, so that it is returned in place: GCC 12 warns
  // (-Warray-bounds, falsely) on moving a shortened copy out.
  const bool cut = key.size() > 60;
  std::string out(key, 0, cut ? 57 : key.size());
  if (cut) out += "...";
  return out;
}

} // namespace

bool YamlChecker::check(const YAML::Node& root, const YamlMarkShift& shift) {
  const int errors_before = diags_.error_count();
  std::vector<Frame> stack;
  // The keys' text lives in the document's nodes: no node copies for the
  // common case; the nodes are looked up again only to report.
  std::vector<const std::string*> keys;
  std::vector<int64_t> reported; // second keys already reported (a map reached by aliases)

  auto report = [&](const YAML::Node& map, size_t first_index, size_t second_index) {
    YAML::Node first, second;
    size_t i = 0;
    for (auto kv : map) {
      if (!kv.first.IsScalar()) continue;
      if (i == first_index) first = kv.first;
      if (i == second_index) second = kv.first;
      ++i;
    }
    int64_t at = second.Mark().pos + shift.pos;
    if (std::find(reported.begin(), reported.end(), at) != reported.end()) return;
    reported.push_back(at);
    diags_.error(yaml_span(second, file_, shift),
                 fmt::format("duplicate key '{}'", shown(second.Scalar())),
                 "each key may be given once in a map (YAML would silently keep one)");
    diags_.note(yaml_span(first, file_, shift), "first given here");
  };
  auto check_keys = [&](const YAML::Node& map) {
    keys.clear();
    for (auto kv : map)
      if (kv.first.IsScalar()) keys.push_back(&kv.first.Scalar());
    if (keys.size() < 2) return;
    if (keys.size() <= 16) {
      for (size_t i = 1; i < keys.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (*keys[i] == *keys[j]) {
            report(map, j, i);
            break;
          }
      return;
    }
    std::unordered_map<std::string_view, size_t> first;
    first.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      auto [it, fresh] = first.emplace(*keys[i], i);
      if (!fresh) report(map, it->second, i);
    }
  };

  // Counts the node; a map or list gets a frame to walk its children.
  auto visit = [&](const YAML::Node& n, uint32_t depth) {
    if (++seen_ > limits_.max_nodes) {
      diags_.error(yaml_span(n, file_, shift),
                   fmt::format("YAML too large: more than {} nodes with aliases expanded",
                               limits_.max_nodes),
                   "an alias (*name) stands for its anchor's whole value at every use");
      exhausted_ = true;
      return false;
    }
    if (!n.IsMap() && !n.IsSequence()) return true;
    if (depth >= limits_.max_depth) {
      diags_.error(yaml_span(n, file_, shift),
                   fmt::format("YAML nested more than {} deep", limits_.max_depth),
                   "is an alias (*name) used inside its own anchor?");
      exhausted_ = true;
      return false;
    }
    if (n.IsMap()) check_keys(n);
    stack.push_back(Frame{n, n.begin(), n.end(), n.IsMap(), depth + 1});
    return true;
  };

  if (exhausted_) return false; // a shared budget already spent
  bool ok = visit(root, 0);
  while (ok && !stack.empty()) {
    Frame& top = stack.back();
    if (top.it == top.end) {
      stack.pop_back();
      continue;
    }
    // Copied out: visiting may grow the stack and move `top`.
    auto cur = top.it++;
    const uint32_t depth = top.depth;
    const bool map = top.map;
    const auto entry = *cur;
    ok = map ? visit(entry.first, depth) && visit(entry.second, depth) : visit(entry, depth);
  }
  int found = diags_.error_count() - errors_before;
  errors_ += found;
  return found == 0;
}

namespace {

// Watches a parse for documents that consume nothing: each real document
// takes at least one token, so two documents starting at the same place
// mean the parser is stuck.
class ProgressWatch : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (started_ && mark.pos == last_.pos) stuck_ = true;
    last_ = mark;
    started_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool stuck() const { return stuck_; }
  const YAML::Mark& last() const { return last_; }

private:
  YAML::Mark last_ = YAML::Mark::null_mark();
  bool started_ = false, stuck_ = false;
};

} // namespace

std::vector<YAML::Node> load_all_yaml(const std::string& text) {
  // A first pass of events only (no nodes are built) proves the parse ends.
  std::istringstream in(text);
  YAML::Parser parser(in);
  ProgressWatch watch;
  size_t documents = 0;
  while (parser.HandleNextDocument(watch))
    if (watch.stuck() || ++documents > text.size() + 1)
      throw YAML::ParserException(watch.last(),
                                  "unexpected character where a document should start (a ',', "
                                  "']' or '}' outside of any list or map?)");
  return YAML::LoadAll(text);
}

} // namespace keyplan::rt

namespace keyplan::rt {

bool load_all_yaml(int file, const std::string& text, Diagnostics& diags,
                   std::vector<YAML::Node>& docs) {
  try {
    docs = load_all_yaml(text);
    return true;
  } catch (const YAML::Exception& e) {
    Span s;
    s.file = file;
    s.line = static_cast<uint32_t>(e.mark.line) + 1;
    s.col = static_cast<uint32_t>(e.mark.column) + 1;
    s.end_line = s.line;
    s.end_col = s.col + 1;
    diags.error(s, fmt::format("invalid YAML: {}", e.msg));
    return false;
  }
}

} // namespace keyplan::rt
