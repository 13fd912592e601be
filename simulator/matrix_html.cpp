#include "simulator/matrix_html.hpp"

#include "runtime/explanation.hpp"
#include "simulator/html_page.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

namespace {

constexpr const char* kCss = R"CSS(
td.d0 { background: #fafafa; } td.d1 { background: #d9f0d3; } td.d2 { background: #a6dba0; }
td.d3 { background: #5aae61; } td.d4 { background: #1b7837; color: #fff; }
td.d5 { background: #00441b; color: #fff; }
#kp-explain { position: fixed; right: 0; bottom: 0; width: 45vw; max-height: 45vh; overflow: auto;
  background: #fffff4; border: 1px solid #bbb; padding: .5em; font-size: 12px; }
#kp-explain pre { white-space: pre-wrap; margin: 0; }
)CSS";

// Totals shown after filtering, and the explanation panel.
constexpr const char* kScript = R"JS(
(function () {
  var table = document.getElementById('kp-matrix');
  var data = JSON.parse(document.getElementById('kp-data').textContent);
  function shownAllowed() {
    var sum = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      if (r.classList.contains('kp-hidden')) return;
      for (var k = 1; k < r.cells.length - 1; ++k) {
        var c = r.cells[k];
        if (!c.classList.contains('kp-hidden')) sum += parseFloat(c.getAttribute('data-v'));
      }
    });
    document.getElementById('kp-shown-allowed').textContent = String(sum);
  }
  shownAllowed();
  // When the page was usable (headless checks read it from the DOM).
  window.addEventListener('load', function () {
    document.body.setAttribute('data-load-ms', String(Math.round(performance.now())));
  });
  document.querySelectorAll('input.kp-filter').forEach(function (i) {
    i.addEventListener('input', shownAllowed);
  });
  var text = document.getElementById('kp-explain-text');
  function explain(td) {
    var key = td.getAttribute('data-r') + ',' + td.getAttribute('data-c');
    var e = data.explanations[key];
    var r = +td.getAttribute('data-r'), c = +td.getAttribute('data-c');
    var head = data.rows[r] + ' x ' + data.cols[c] + ': ' + td.getAttribute('data-v') + ' of ' +
               data.row_sizes[r] * data.col_sizes[c] + ' allowed\n';
    text.textContent = e ? head + '\n' + e.call + ': ' + e.decision + '\n\n' + e.text
                         : head + '\nNo explanation precomputed for this cell (' +
                           data.sampled + ' are); run `keyplan explain` on one of its requests.';
  }
  table.addEventListener('click', function (ev) {
    var td = ev.target.closest('td');
    if (td && td.hasAttribute('data-r')) explain(td);
  });
  // A link to one cell's explanation: page.html#explain=ROW,COL (grid indexes).
  var m = /^#explain=(\d+),(\d+)$/.exec(location.hash);
  if (m) {
    var td = table.querySelector('td[data-r="' + m[1] + '"][data-c="' + m[2] + '"]');
    if (td) explain(td);
  }
})();
)JS";

int density_class(uint64_t allowed, uint64_t cells) {
  if (allowed == 0 || cells == 0) return 0;
  double d = static_cast<double>(allowed) / static_cast<double>(cells);
  return d >= 1.0 ? 5 : 1 + static_cast<int>(d * 4.0);
}

std::string axis_text(const Axis& a, const std::string& param) {
  if (a.by == "#")
    return fmt::format("{} in {} buckets of consecutive ids", param, a.labels.size());
  if (!a.by.empty())
    return fmt::format("{} grouped by {} ({} groups)", param, a.by, a.labels.size());
  return param;
}

} // namespace

std::string matrix_html(const MatrixView& in, const MatrixQuery& q, engine::Engine& explainer,
                        const HtmlMatrixOptions& o) {
  const Matrix& m = in.matrix;
  // The grid shown: the given one, with every axis of single instances that
  // is too large bucketed; ungrouped small matrices are shown cell by cell.
  CountGrid grid;
  {
    Axis rows = in.grid ? in.grid->rows : instances_axis(in.snapshot, m.row_type);
    Axis cols = in.grid ? in.grid->cols : instances_axis(in.snapshot, m.col_type);
    if (rows.by.empty() && rows.labels.size() > o.max_axis)
      rows = bucket_axis(in.snapshot, m.row_type, o.max_axis);
    if (cols.by.empty() && cols.labels.size() > o.max_axis)
      cols = bucket_axis(in.snapshot, m.col_type, o.max_axis);
    grid = aggregate(m, std::move(rows), std::move(cols));
  }
  const size_t nr = grid.rows.labels.size(), nc = grid.cols.labels.size();
  const bool cellwise = grid.rows.by.empty() && grid.cols.by.empty();
  const ir::Rule& rule = in.policy.rules[static_cast<size_t>(m.rule)];
  const std::string& rp = rule.params[static_cast<size_t>(m.row_param)].name;
  const std::string& cp = rule.params[static_cast<size_t>(m.col_param)].name;
  const size_t cells = m.rows * m.cols;

  std::string body;
  body += fmt::format("<h1>keyplan matrix: {}</h1>\n", html_escape(in.action));
  body += fmt::format(
      "<div class=\"kp-meta\">{}<br>rows: {} ({} {}), columns: {} ({} {})<br>"
      "<span id=\"kp-allowed\">{}</span> of <span id=\"kp-cells\">{}</span> cells allowed "
      "({:.1f}%). Cells: {}.</div>\n",
      html_escape(rule.signature), html_escape(axis_text(grid.rows, rp)), m.rows,
      html_escape(in.policy.entities[static_cast<size_t>(m.row_type)].name),
      html_escape(axis_text(grid.cols, cp)), m.cols,
      html_escape(in.policy.entities[static_cast<size_t>(m.col_type)].name), m.allowed, cells,
      cells ? 100.0 * static_cast<double>(m.allowed) / static_cast<double>(cells) : 0.0,
      cellwise ? "green allows, grey denies"
      : grid.rows.by.size() > 1 || grid.cols.by.size() > 1
          ? "allowed pairs per block, darker is denser; an instance in several groups counts "
            "in each"
          : "allowed pairs per block, darker is denser");
  body += "<div class=\"kp-controls\"><input class=\"kp-filter\" data-table=\"kp-matrix\" "
          "data-axis=\"rows\" placeholder=\"filter rows\" id=\"kp-filter-rows\">"
          "<input class=\"kp-filter\" data-table=\"kp-matrix\" data-axis=\"cols\" "
          "placeholder=\"filter columns\" id=\"kp-filter-cols\">"
          "<span>allowed in the shown cells: <span id=\"kp-shown-allowed\"></span></span>"
          "<span>click a header to sort; a cell to explain it</span></div>\n";
  body += "<table class=\"kp-grid\" id=\"kp-matrix\">\n<thead><tr>";
  body += fmt::format("<th data-col=\"0\">{} \\ {}</th>", html_escape(rp), html_escape(cp));
  for (size_t j = 0; j < nc; ++j)
    body += fmt::format("<th data-col=\"{}\" title=\"{} ({})\">{}</th>", j + 1,
                        html_escape(grid.cols.labels[j]), grid.cols.members[j].size(),
                        html_escape(grid.cols.labels[j]));
  body += fmt::format("<th data-col=\"{}\">total</th></tr></thead>\n<tbody>\n", nc + 1);
  std::vector<uint64_t> col_totals(nc, 0);
  for (size_t i = 0; i < nr; ++i) {
    body += fmt::format("<tr><th title=\"{} ({})\">{}</th>", html_escape(grid.rows.labels[i]),
                        grid.rows.members[i].size(), html_escape(grid.rows.labels[i]));
    uint64_t total = 0;
    for (size_t j = 0; j < nc; ++j) {
      uint64_t a = grid.at(i, j), c = grid.cells(i, j);
      total += a;
      col_totals[j] += a;
      // Kept small (40,000 of them on a large tenant): the labels and the
      // block size are looked up on click.
      body += fmt::format("<td class=\"d{}\" data-v=\"{}\" data-r=\"{}\" data-c=\"{}\">{}</td>",
                          density_class(a, c), a, i, j, cellwise ? "" : std::to_string(a));
    }
    body += fmt::format("<td data-v=\"{}\">{}</td></tr>\n", total, total);
  }
  body += "</tbody>\n<tfoot><tr class=\"kp-totals\"><th data-sort-cols=\"1\">total (click: sort "
          "columns)</th>";
  uint64_t all = 0;
  for (size_t j = 0; j < nc; ++j) {
    body += fmt::format("<td data-v=\"{}\">{}</td>", col_totals[j], col_totals[j]);
    all += col_totals[j];
  }
  body += fmt::format("<td data-v=\"{}\">{}</td></tr></tfoot>\n</table>\n", all, all);

  // Explanations for a sample of blocks, spread evenly over the grid: each
  // block's first allowed cell, or its first cell when none is allowed.
  nlohmann::json explanations = nlohmann::json::object();
  const size_t blocks = nr * nc;
  const size_t want = std::min(blocks, o.explain_sample);
  std::vector<ir::Value> args = q.args;
  rt::RenderOptions ro;
  ro.sources = o.sources;
  for (size_t s = 0; s < want; ++s) {
    const size_t b = want == blocks ? s : s * blocks / want;
    const size_t i = b / nc, j = b % nc;
    if (grid.rows.members[i].empty() || grid.cols.members[j].empty()) continue;
    uint32_t r = grid.rows.members[i][0], c = grid.cols.members[j][0];
    bool found = false;
    for (uint32_t rr : grid.rows.members[i]) {
      for (uint32_t cc : grid.cols.members[j])
        if (m.test(rr, cc)) {
          r = rr, c = cc, found = true;
          break;
        }
      if (found) break;
    }
    args[static_cast<size_t>(m.row_param)] = ir::Value::entity(m.row_type, r);
    args[static_cast<size_t>(m.col_param)] = ir::Value::entity(m.col_type, c);
    rt::Decision d = explainer.explain(m.rule, args, q.today);
    nlohmann::json e;
    e["call"] = fmt::format("{}({} = {}, {} = {})", rule.name, rp,
                            in.snapshot.id(m.row_type, static_cast<int32_t>(r)), cp,
                            in.snapshot.id(m.col_type, static_cast<int32_t>(c)));
    e["decision"] = d.allowed && d.error.empty() ? "allow" : "deny";
    e["text"] = d.explanation ? rt::render_text(*d.explanation, ro) : d.error;
    explanations[fmt::format("{},{}", i, j)] = std::move(e);
  }
  nlohmann::json data;
  data["rows"] = grid.rows.labels;
  data["cols"] = grid.cols.labels;
  nlohmann::json rs = nlohmann::json::array(), cs = nlohmann::json::array();
  for (const auto& mm : grid.rows.members) rs.push_back(mm.size());
  for (const auto& mm : grid.cols.members) cs.push_back(mm.size());
  data["row_sizes"] = std::move(rs);
  data["col_sizes"] = std::move(cs);
  data["explanations"] = std::move(explanations);
  data["sampled"] = want;
  body += "<div id=\"kp-explain\"><pre id=\"kp-explain-text\">Click a cell for its "
          "explanation.</pre></div>\n";
  body +=
      "<script type=\"application/json\" id=\"kp-data\">" + json_for_script(data) + "</script>\n";
  HtmlPage page;
  page.title = "keyplan matrix " + in.action;
  page.css = kCss;
  page.body = std::move(body);
  page.script = kScript;
  return render_page(page);
}

} // namespace keyplan::sim
