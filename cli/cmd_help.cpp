// keyplan help [COMMAND] (--man), keyplan completion bash|zsh|fish: all
// generated from the CLI11 definition, so they never drift from the
// commands (docs/man/keyplan.1 is this output; a test keeps it current).
#include "cli/commands.hpp"
#include "compiler/diagnostics.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <memory>

namespace keyplan::cli {

namespace {

std::vector<CLI::App*> commands(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> out;
  for (auto* c : commands(app)) out.push_back(c->get_name());
  return out;
}

bool is_flag(const CLI::Option* o) {
  return o->get_expected_min() == 0;
}

// The option's spellings: {"-w", "--write"}; empty for positionals.
std::vector<std::string> spellings(const CLI::Option* o) {
  std::vector<std::string> out;
  for (const auto& s : o->get_snames()) out.push_back("-" + s);
  for (const auto& l : o->get_lnames()) out.push_back("--" + l);
  return out;
}

// Single-quoted for the shells (the quote itself closed and escaped).
std::string sh_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string bash(CLI::App& app) {
  std::string out = "# bash completion for keyplan (keyplan completion bash)\n_keyplan() {\n"
                    "  local cur=${COMP_WORDS[COMP_CWORD]} opts=\n"
                    "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n";
  std::string names;
  for (const auto& n : command_names(app)) names += n + " ";
  out += fmt::format("    COMPREPLY=($(compgen -W \"{}--help --version\" -- \"$cur\"))\n", names);
  out += "    return\n  fi\n  case \"${COMP_WORDS[1]}\" in\n";
  for (auto* c : commands(app)) {
    std::string opts;
    for (const auto* o : c->get_options())
      for (const auto& s : spellings(o)) opts += s + " ";
    if (c->get_name() == "help" || c->get_name() == "completion") {
      for (const auto& n : c->get_name() == "help"
                               ? command_names(app)
                               : std::vector<std::string>{"bash", "zsh", "fish"})
        opts += n + " ";
    }
    out += fmt::format("    {}) opts=\"{}\" ;;\n", c->get_name(), opts);
  }
  out += "  esac\n"
         "  if [[ $cur == -* || ${COMP_WORDS[1]} == help || ${COMP_WORDS[1]} == completion ]]; "
         "then\n"
         "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n"
         "complete -o default -F _keyplan keyplan\n";
  return out;
}

// zsh _arguments specs take no unescaped ':' or brackets in descriptions.
std::string zsh_desc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '[' || c == '(')
      out += '(';
    else if (c == ']' || c == ')')
      out += ')';
    else if (c == ':')
      out += "\\:";
    else if (c != '\'' && c != '\n')
      out += c;
  }
  return out;
}

std::string zsh(CLI::App& app) {
  std::string out = "#compdef keyplan\n# zsh completion for keyplan (keyplan completion zsh)\n"
                    "_keyplan() {\n  local -a cmds\n  cmds=(\n";
  for (auto* c : commands(app))
    out += fmt::format("    '{}:{}'\n", c->get_name(), zsh_desc(c->get_description()));
  out += "  )\n  if (( CURRENT == 2 )); then\n    _describe 'command' cmds\n    return\n  fi\n"
         "  case $words[2] in\n";
  for (auto* c : commands(app)) {
    out += fmt::format("    {}) _arguments", c->get_name());
    for (const auto* o : c->get_options()) {
      auto sp = spellings(o);
      if (sp.empty() || sp[0] == "-h") continue;
      for (const auto& s : sp)
        out += fmt::format(" '{}[{}]{}'", s, zsh_desc(o->get_description()),
                           is_flag(o) ? "" : ":value:");
    }
    if (c->get_name() == "help")
      out += " '1:command:(" + fmt::format("{}", fmt::join(command_names(app), " ")) + ")'";
    else if (c->get_name() == "completion")
      out += " '1:shell:(bash zsh fish)'";
    else
      out += " '*:file:_files'";
    out += " ;;\n";
  }
  out += "  esac\n}\n_keyplan \"$@\"\n";
  return out;
}

std::string fish(CLI::App& app) {
  std::string out = "# fish completion for keyplan (keyplan completion fish)\n"
                    "complete -c keyplan -f -n __fish_use_subcommand -l version -d 'Print the "
                    "version'\n";
  for (auto* c : commands(app))
    out += fmt::format("complete -c keyplan -f -n __fish_use_subcommand -a {} -d {}\n",
                       c->get_name(), sh_quote(c->get_description()));
  for (auto* c : commands(app)) {
    std::string when = fmt::format("'__fish_seen_subcommand_from {}'", c->get_name());
    for (const auto* o : c->get_options()) {
      std::string spec;
      for (const auto& s : o->get_snames()) spec += " -s " + s;
      for (const auto& l : o->get_lnames()) spec += " -l " + l;
      if (spec.empty()) continue;
      out += fmt::format("complete -c keyplan -n {}{}{} -d {}\n", when, spec,
                         is_flag(o) ? "" : " -r", sh_quote(o->get_description()));
    }
    if (c->get_name() == "help")
      for (const auto& n : command_names(app))
        out += fmt::format("complete -c keyplan -f -n {} -a {}\n", when, n);
    if (c->get_name() == "completion")
      out += fmt::format("complete -c keyplan -f -n {} -a 'bash zsh fish'\n", when);
  }
  return out;
}

// roff text: backslashes, hyphens and leading dots escaped.
std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string man(CLI::App& app) {
  std::string out =
      ".\\\" Generated by `keyplan help --man` from the CLI definition; do not edit.\n"
      ".TH KEYPLAN 1 \"\" \"keyplan\" \"User Commands\"\n.SH NAME\nkeyplan \\- " +
      roff(app.get_description().substr(app.get_description().find(':') + 1).substr(1)) +
      "\n.SH SYNOPSIS\n.B keyplan\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR] "
      "[\\fIARGUMENTS\\fR]\n.br\n.B keyplan\n\\-\\-version\n.SH DESCRIPTION\n" +
      roff(app.get_description()) +
      ".\nExit codes: 0 success, 1 a check failed, 2 bad input, 3 an internal "
      "JIT/interpreter disagreement.\n.SH COMMANDS\n";
  for (auto* c : commands(app)) {
    std::string pos;
    for (const auto* o : c->get_options())
      if (o->get_positional())
        pos += fmt::format(" {}{}{}", o->get_required() ? "" : "[", roff(o->get_name(true, false)),
                           o->get_required() ? "" : "]");
    out +=
        fmt::format(".SS \"keyplan {}{}\"\n{}\n", c->get_name(), pos, roff(c->get_description()));
    for (const auto* o : c->get_options()) {
      auto sp = spellings(o);
      if (sp.empty() || sp[0] == "-h") continue;
      std::string names;
      for (const auto& s : sp) names += (names.empty() ? "" : ", ") + ("\\fB" + roff(s) + "\\fR");
      out += fmt::format(".TP\n{}{}\n{}\n", names, is_flag(o) ? "" : " \\fIVALUE\\fR",
                         roff(o->get_description()));
    }
  }
  out += ".SH SEE ALSO\nThe documentation in docs/ of the keyplan sources (docs/cli.md).\n";
  return out;
}

CLI::App* find_command(CLI::App& app, const std::string& name) {
  for (auto* c : commands(app))
    if (c->get_name() == name) return c;
  return nullptr;
}

std::string unknown_command(CLI::App& app, const std::string& name) {
  std::string m = closest_match(name, command_names(app));
  return fmt::format("unknown command '{}'{}", name,
                     m.empty() ? "" : fmt::format(" (did you mean '{}'?)", m));
}

} // namespace

void add_help_command(CLI::App& app, int& status) {
  auto topic = std::make_shared<std::string>();
  auto as_man = std::make_shared<bool>(false);
  auto* help = app.add_subcommand("help", "Show the help of keyplan or of one command");
  help->add_option("command", *topic, "The command to describe");
  help->add_flag("--man", *as_man, "Print the man page (roff), as in docs/man/keyplan.1");
  help->callback([&app, &status, topic, as_man] {
    status = 0;
    if (*as_man) {
      std::cout << man(app);
    } else if (topic->empty()) {
      // The root's help (app.help() would show the selected subcommand's).
      std::cout << app.get_formatter()->make_help(&app, "", CLI::AppFormatMode::Normal);
    } else if (auto* c = find_command(app, *topic)) {
      std::cout << c->help();
    } else {
      std::cerr << "keyplan help: error: " << unknown_command(app, *topic) << "\n";
      status = 2;
    }
  });
  auto shell = std::make_shared<std::string>();
  auto* comp = app.add_subcommand("completion", "Print a shell completion script");
  comp->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  comp->callback([&app, &status, shell] {
    std::cout << (*shell == "bash" ? bash(app) : *shell == "zsh" ? zsh(app) : fish(app));
    status = 0;
  });
}

} // namespace keyplan::cli
