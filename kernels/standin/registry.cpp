#include "standin.h"

namespace cimsim {

namespace {
std::vector<std::pair<std::string, std::vector<Entry>>>& registry() {
    static std::vector<std::pair<std::string, std::vector<Entry>>> r;  // filled by the modules' static initialisers
    return r;
}
}  // namespace

void registerModule(const char* module, std::vector<Entry> entries) {
    registry().emplace_back(module, std::move(entries));
}

const std::vector<std::pair<std::string, std::vector<Entry>>>& modules() {
    return registry();
}

}  // namespace cimsim
