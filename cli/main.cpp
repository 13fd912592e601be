#include "compiler/parse.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  auto sm = std::make_shared<keyplan::SourceManager>();
  keyplan::Diagnostics d;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream ss;
    ss << in.rdbuf();
    int id = sm->add(argv[i], ss.str());
    auto f = keyplan::parse_file(*sm, id, d);
    if (f) std::cout << argv[i] << ": " << f->decls.size() << " decls\n";
  }
  std::cout << d.render_text(*sm);
  return d.has_errors() ? 2 : 0;
}
