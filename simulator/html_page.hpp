// Self-contained HTML pages (`matrix --format html`, and the diff view):
// one file with its CSS and script inline, nothing fetched (a
// Content-Security-Policy forbids any network access), every text escaped.
// The shared script makes tables sortable and filterable:
//   <table class="kp-grid" id="T">: its <tbody> rows are sorted by clicking a
//   header cell <th data-col="K"> (numbers by the cells' data-v, text by
//   their content; a second click reverses); <th data-sort-cols> sorts the
//   columns by the totals row (<tr class="kp-totals">).
//   <input class="kp-filter" data-table="T" data-axis="rows|cols">: shows only
//   the rows (columns) whose label contains the text typed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace keyplan::sim {

// Text for HTML content and attribute values: valid UTF-8, & < > " '
// escaped, control characters shown as character references or U+FFFD.
std::string html_escape(std::string_view s);

// JSON for an inline <script type="application/json">: ASCII only, and no
// "</" that could close the script element.
std::string json_for_script(const nlohmann::json& j);

struct HtmlPage {
  std::string title;
  std::string css;    // extra CSS for this page
  std::string body;   // HTML, already escaped
  std::string script; // extra JavaScript, run after the shared script
};

std::string render_page(const HtmlPage& page);

} // namespace keyplan::sim
