#include "simulator/table_html.hpp"

#include "simulator/html_page.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

std::string render_html(const std::vector<Table>& tables, const std::string& title) {
  HtmlPage page;
  page.title = title;
  page.css = "section{margin-bottom:2em}td{white-space:pre-wrap}";
  std::string& b = page.body;
  b += fmt::format("<h1>{}</h1>\n", html_escape(title));
  for (size_t t = 0; t < tables.size(); ++t) {
    const Table& tb = tables[t];
    std::string id = fmt::format("t{}", t);
    b += "<section>\n";
    if (!tb.title.empty()) b += fmt::format("<h2>{}</h2>\n", html_escape(tb.title));
    b += fmt::format("<input class=\"kp-filter\" data-table=\"{}\" data-axis=\"rows\" "
                     "placeholder=\"filter rows\">\n",
                     id);
    b += fmt::format("<table class=\"kp-grid\" id=\"{}\">\n<thead><tr>", id);
    for (size_t c = 0; c < tb.headers.size(); ++c)
      b += fmt::format("<th data-col=\"{}\">{}</th>", c, html_escape(tb.headers[c]));
    b += "</tr></thead>\n<tbody>\n";
    for (const auto& row : tb.rows) {
      b += "<tr>";
      for (size_t c = 0; c < tb.headers.size(); ++c)
        b += fmt::format("<{0}>{1}</{0}>", c == 0 ? "th" : "td",
                         html_escape(c < row.size() ? row[c] : ""));
      b += "</tr>\n";
    }
    b += "</tbody>\n</table>\n";
    if (!tb.notes.empty()) {
      b += "<ul>\n";
      for (const auto& n : tb.notes) b += fmt::format("<li>{}</li>\n", html_escape(n));
      b += "</ul>\n";
    }
    b += "</section>\n";
  }
  return render_page(page);
}

} // namespace keyplan::sim
