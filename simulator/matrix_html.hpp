// `keyplan matrix --format html`: the matrix as a heatmap in one
// self-contained page (simulator/html_page.hpp): aggregated into at most
// max_axis x max_axis blocks when larger (buckets of consecutive instances,
// unless grouped by attribute), rows and columns sortable and filterable, and
// a precomputed interpreter explanation for a bounded sample of cells (one
// representative cell per sampled block) shown on click.
#pragma once

#include "engine/engine.hpp"
#include "simulator/matrix_render.hpp"

namespace keyplan::sim {

struct HtmlMatrixOptions {
  size_t explain_sample = 200; // cells (blocks) with an explanation
  size_t max_axis = 150; // rows/columns before bucketing: the gen default tenant loads in ~1 s
  const SourceManager* sources = nullptr; // explanations cite file:line:col
};

std::string matrix_html(const MatrixView& view, const MatrixQuery& query, engine::Engine& explainer,
                        const HtmlMatrixOptions& options);

} // namespace keyplan::sim
