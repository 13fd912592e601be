#include "simulator/html_page.hpp"

#include "simulator/text.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

std::string html_escape(std::string_view s) {
  // xml_escape: & < > " ' and the characters XML forbids; valid UTF-8 out.
  return xml_escape(s);
}

std::string json_for_script(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    // Inside a JSON string "<" is always escapable as \u003c.
    if (text[i] == '<')
      out += "\\u003c";
    else
      out += text[i];
  }
  return out;
}

namespace {

constexpr const char* kCss = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em 0; }
.kp-meta { color: #555; margin-bottom: .8em; }
.kp-controls { margin: .5em 0; display: flex; gap: 1em; flex-wrap: wrap; }
.kp-controls input { padding: 2px 4px; }
table.kp-grid { border-collapse: collapse; font-size: 11px; }
table.kp-grid th, table.kp-grid td { border: 1px solid #ddd; padding: 1px 3px; }
table.kp-grid th { background: #f4f4f4; cursor: pointer; white-space: nowrap; text-align: left; }
table.kp-grid thead th { position: sticky; top: 0; z-index: 1; }
table.kp-grid td { text-align: right; min-width: 10px; cursor: pointer; }
.kp-hidden { display: none; }
)CSS";

// Sorting and filtering for every table.kp-grid (see html_page.hpp).
constexpr const char* kScript = R"JS(
(function () {
  function cellValue(cell) {
    if (!cell) return '';
    var v = cell.getAttribute('data-v');
    return v !== null ? parseFloat(v) : cell.textContent;
  }
  function compare(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b));
  }
  document.querySelectorAll('table.kp-grid').forEach(function (table) {
    var body = table.tBodies[0];
    var head = table.tHead;
    var last = null, dir = 1;
    table.addEventListener("click", function (ev) {
      var th = ev.target.closest('th');
      if (!th) return;
      if (th.hasAttribute('data-sort-cols')) { sortColumns(table); return; }
      if (!th.hasAttribute('data-col')) return;
      var k = parseInt(th.getAttribute('data-col'), 10);
      dir = last === k ? -dir : (k === 0 ? 1 : -1);
      last = k;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) { return dir * compare(cellValue(a.cells[k]), cellValue(b.cells[k])); });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  // Reorders the columns (1 .. n-2: label first, total last) by the totals row.
  function sortColumns(table) {
    var totals = table.querySelector('tr.kp-totals');
    if (!totals) return;
    var n = totals.cells.length;
    var order = [];
    for (var k = 1; k < n - 1; ++k) order.push(k);
    var desc = table.getAttribute('data-cols-desc') !== '1';
    table.setAttribute('data-cols-desc', desc ? '1' : '0');
    order.sort(function (a, b) {
      var d = compare(cellValue(totals.cells[a]), cellValue(totals.cells[b]));
      return desc ? -d : d;
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      var cells = Array.prototype.slice.call(row.cells);
      if (cells.length !== n) return;
      order.forEach(function (k) { row.insertBefore(cells[k], cells[n - 1]); });
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      if (th.hasAttribute('data-col')) th.setAttribute('data-col', String(i));
    });
  }
  document.querySelectorAll('input.kp-filter').forEach(function (input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    var axis = input.getAttribute('data-axis');
    input.addEventListener('input', function () {
      var text = input.value.toLowerCase();
      if (axis === 'rows') {
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          var show = r.cells[0].textContent.toLowerCase().indexOf(text) >= 0;
          r.classList.toggle('kp-hidden', !show);
        });
      } else {
        var head = table.tHead.rows[0].cells;
        var hide = [];
        for (var k = 1; k < head.length - 1; ++k)
          hide[k] = head[k].textContent.toLowerCase().indexOf(text) < 0;
        Array.prototype.forEach.call(table.rows, function (row) {
          for (var k = 1; k < row.cells.length - 1; ++k)
            row.cells[k].classList.toggle('kp-hidden', !!hide[k]);
        });
      }
    });
  });
})();
)JS";

} // namespace

std::string render_page(const HtmlPage& page) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
      "<title>{}</title>\n<style>{}{}</style>\n</head>\n<body>\n{}\n<script>{}</script>\n"
      "<script>{}</script>\n</body>\n</html>\n",
      html_escape(page.title), kCss, page.css, page.body, kScript, page.script);
}

} // namespace keyplan::sim
