#include "ptx.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

namespace cimsim {

namespace {

size_t typeSize(const std::string& t) {
    if (t == ".u8" || t == ".s8" || t == ".b8") return 1;
    if (t == ".u16" || t == ".s16" || t == ".b16" || t == ".f16") return 2;
    if (t == ".u32" || t == ".s32" || t == ".b32" || t == ".f32") return 4;
    if (t == ".u64" || t == ".s64" || t == ".b64" || t == ".f64") return 8;
    return 0;
}

/** The bytes a declaration such as ".shared .align 8 .b8 name[2048]" or ".param .u64 name" takes. */
size_t declaredBytes(const std::string& decl) {
    size_t elem = 0, count = 1;
    size_t pos = 0;
    while (pos < decl.size()) {
        size_t end = decl.find_first_of(" \t,;", pos);
        if (end == std::string::npos) end = decl.size();
        std::string tok = decl.substr(pos, end - pos);
        if (!tok.empty()) {
            if (tok[0] == '.' && typeSize(tok) > 0) {
                elem = typeSize(tok);
            } else if (tok[0] != '.' && elem > 0) {
                size_t br = tok.find('[');
                if (br != std::string::npos) count = strtoull(tok.c_str() + br + 1, nullptr, 10);
            }
        }
        pos = end + 1;
    }
    return elem * count;
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

struct Body {
    bool barrier = false;
    size_t shared = 0;
    std::set<std::string> calls;
};

}  // namespace

Ptx parsePtx(const std::string& text, std::string& error) {
    Ptx ptx;
    std::map<std::string, Body> funcs;
    std::vector<Body> entryBodies;
    size_t moduleShared = 0;
    std::string inFunc;           // the .func or .entry whose body is being read
    bool inEntry = false, inParams = false;
    int depth = 0;
    Body body;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        if (line.empty() || line.rfind("//", 0) == 0) continue;
        if (depth == 0 && !inParams) {
            if (line.rfind(".version", 0) == 0) {
                ptx.versionMajor = atoi(line.c_str() + 8);
                const char* dot = strchr(line.c_str() + 8, '.');
                ptx.versionMinor = dot ? atoi(dot + 1) : 0;
                continue;
            }
            if (line.rfind(".shared", 0) == 0) {
                moduleShared += declaredBytes(line);
                continue;
            }
            size_t e = line.find(".entry ");
            size_t f = line.find(".func ");
            if (e != std::string::npos || f != std::string::npos) {
                bool entry = e != std::string::npos;
                size_t start = entry ? e + 7 : f + 6;
                if (!entry && line[start] == '(') {
                    size_t close = line.find(')', start);  // a return value: .func (.param .b32 r) name(
                    start = close == std::string::npos ? line.size() : close + 1;
                }
                std::string rest = trim(line.substr(start));
                std::string name = rest.substr(0, rest.find_first_of("( \t"));
                inFunc = name;
                inEntry = entry;
                body = Body();
                if (entry) {
                    ptx.entries.push_back(PtxEntry{name, {}, false, 0});
                }
                inParams = line.find('(') != std::string::npos && line.find(')') == std::string::npos;
                if (line.find('{') != std::string::npos) depth = 1;
                continue;
            }
            if (line == "{" && !inFunc.empty()) {
                depth = 1;
            }
            continue;
        }
        if (inParams) {
            if (line.rfind(".param", 0) == 0 && inEntry) {
                ptx.entries.back().paramSizes.push_back(declaredBytes(line));
            }
            if (line.find(')') != std::string::npos) inParams = false;
            if (line.find('{') != std::string::npos) depth = 1;
            continue;
        }
        for (char c : line) {
            if (c == '{') depth++;
        }
        if (line.rfind(".shared", 0) == 0) body.shared += declaredBytes(line);
        if (line.rfind("bar.", 0) == 0 || line.rfind("barrier.", 0) == 0) body.barrier = true;
        if (line.rfind("call", 0) == 0) {
            // call.uni (retval), name, (args);  or  call.uni name, (args);
            std::string rest = line.substr(line.find_first_of(" \t"));
            if (trim(rest).rfind("(", 0) == 0) rest = rest.substr(rest.find(')') + 1);
            rest = trim(rest);
            if (!rest.empty() && rest[0] == ',') rest = trim(rest.substr(1));
            body.calls.insert(rest.substr(0, rest.find_first_of(", \t;")));
        }
        for (char c : line) {
            if (c == '}') depth--;
        }
        if (depth == 0) {
            if (inEntry) {
                entryBodies.push_back(body);
            } else {
                funcs[inFunc] = body;
            }
            inFunc.clear();
        }
    }
    if (depth != 0 || inParams) {
        error = "unbalanced braces or parameter list";
        ptx.entries.clear();
        return ptx;
    }
    if (entryBodies.size() != ptx.entries.size()) {
        error = "an entry point without a body";
        ptx.entries.clear();
        return ptx;
    }
    for (size_t i = 0; i < ptx.entries.size(); i++) {
        // a barrier or shared memory in a called function counts for the entry (one level is what nvcc leaves)
        Body& b = entryBodies[i];
        for (const std::string& callee : b.calls) {
            auto it = funcs.find(callee);
            if (it != funcs.end()) {
                b.barrier |= it->second.barrier;
                b.shared += it->second.shared;
            }
        }
        ptx.entries[i].barriers = b.barrier;
        ptx.entries[i].sharedBytes = b.shared + moduleShared;
    }
    return ptx;
}

}  // namespace cimsim
