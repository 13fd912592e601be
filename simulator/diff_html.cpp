// The diff view (`keyplan diff --format html`): one self-contained page on
// simulator/html_page.*: the counts, gained cells and groups in green, lost
// in red, sortable and filterable tables, and the explained sample with the
// clauses that changed.
#include "simulator/diff_html.hpp"

#include "simulator/diff_report.hpp"
#include "simulator/html_page.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

namespace {

constexpr const char* kCss = R"CSS(
.kp-gain, tr.kp-gained td, td.kp-gained { background: #d9f0d3; }
.kp-loss, tr.kp-lost td, td.kp-lost { background: #f8d0d0; }
span.kp-gain, span.kp-loss { padding: 0 .3em; border-radius: 3px; font-weight: bold; }
table.kp-grid td { text-align: left; cursor: default; }
table.kp-grid td.kp-num { text-align: right; }
h2 { font-size: 1.1em; margin: 1.2em 0 .3em 0; }
.kp-note { color: #555; font-size: 12px; }
details { margin: .4em 0; border: 1px solid #ddd; padding: .3em; }
details pre { white-space: pre-wrap; font-size: 11px; margin: .3em 0; }
.kp-sides { display: flex; gap: 1em; }
.kp-sides > div { flex: 1; min-width: 0; }
)CSS";

bool numeric(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string table_html(const Table& t) {
  const std::string id = "kp-" + t.name;
  size_t change = t.headers.size();
  for (size_t i = 0; i < t.headers.size(); ++i)
    if (t.headers[i] == "change") change = i;
  std::string out = fmt::format("<h2>{}</h2>\n", html_escape(t.title));
  out += fmt::format("<div class=\"kp-controls\"><input class=\"kp-filter\" data-table=\"{}\" "
                     "data-axis=\"rows\" placeholder=\"filter by {}\"></div>\n",
                     id, html_escape(t.headers.empty() ? "" : t.headers[0]));
  out += fmt::format("<table class=\"kp-grid\" id=\"{}\">\n<thead><tr>", id);
  for (size_t i = 0; i < t.headers.size(); ++i)
    out += fmt::format("<th data-col=\"{}\">{}</th>", i, html_escape(t.headers[i]));
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    std::string cls;
    if (change < row.size()) cls = row[change] == "gained" ? "kp-gained" : "kp-lost";
    out += cls.empty() ? "<tr>" : "<tr class=\"" + cls + "\">";
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string& h = t.headers[i];
      std::string td_cls = numeric(row[i]) ? "kp-num" : "";
      // The summary's gained and lost columns in their colours.
      if ((h == "gained" || h == "lost") && row[i] != "0") td_cls += " kp-" + h;
      out += fmt::format("<td{}{}>{}</td>", td_cls.empty() ? "" : " class=\"" + td_cls + "\"",
                         numeric(row[i]) ? " data-v=\"" + row[i] + "\"" : "", html_escape(row[i]));
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  for (const auto& n : t.notes) out += "<div class=\"kp-note\">" + html_escape(n) + "</div>\n";
  return out;
}

} // namespace

std::string diff_html(const DiffResult& r, const DiffReportOptions& o) {
  std::string body;
  body += fmt::format("<h1>keyplan diff</h1>\n<div class=\"kp-meta\">BEFORE: {}<br>AFTER: {}<br>"
                      "<span class=\"kp-gain\" id=\"kp-gained\">{}</span> cells gained, "
                      "<span class=\"kp-loss\" id=\"kp-lost\">{}</span> cells lost{}</div>\n",
                      html_escape(r.labels[0]), html_escape(r.labels[1]), r.gained, r.lost,
                      r.changed() ? "" : " (nothing changed)");
  for (const Table& t : diff_tables(r, o))
    if (t.name != "explanations") body += table_html(t);
  if (!r.explained.empty()) {
    body += "<h2>explained cells</h2>\n";
    for (const auto& c : r.explained) {
      std::string args;
      for (const auto& [k, v] : c.args) args += (args.empty() ? "" : ", ") + k + " = " + v;
      body += fmt::format("<details open><summary><span class=\"{}\">{}</span> {}({})</summary>\n",
                          c.gained ? "kp-gain" : "kp-loss", c.gained ? "gained" : "lost",
                          html_escape(r.actions[c.action].name), html_escape(args));
      if (!c.changed.empty()) {
        body += "<pre>";
        for (const auto& ch : c.changed)
          body += html_escape(
              fmt::format("{} {}: {} → {}{}\n", ch.deciding ? "deciding:" : "because:", ch.text,
                          ch.before, ch.after, ch.rule.empty() ? "" : "  (in " + ch.rule + ")"));
        body += "</pre>\n";
      }
      body += fmt::format("<div class=\"kp-sides\"><div><b>BEFORE</b><pre>{}</pre></div>"
                          "<div><b>AFTER</b><pre>{}</pre></div></div></details>\n",
                          html_escape(c.before_text), html_escape(c.after_text));
    }
  }
  HtmlPage page;
  page.title = "keyplan diff " + r.labels[0] + " -> " + r.labels[1];
  page.css = kCss;
  page.body = std::move(body);
  return render_page(page);
}

} // namespace keyplan::sim
