// SPDX-License-Identifier: EUPL-1.2
#include "card/Pkcs11Module.h"

#include "card/Pkcs11Rules.h"

#include <cstring>
#include <dlfcn.h>

namespace cpslock::card {

namespace {
// The functions the card check calls; a list missing one is refused up front rather than crashing
// on a null pointer later.
const char* missingFunction(const CK_FUNCTION_LIST& f) {
#define CPSLOCK_REQUIRE(name)                                                                                          \
    if (f.name == nullptr)                                                                                             \
        return #name;
    CPSLOCK_REQUIRE(C_Initialize)
    CPSLOCK_REQUIRE(C_Finalize)
    CPSLOCK_REQUIRE(C_GetSlotList)
    CPSLOCK_REQUIRE(C_GetSlotInfo)
    CPSLOCK_REQUIRE(C_GetTokenInfo)
    CPSLOCK_REQUIRE(C_GetMechanismList)
    CPSLOCK_REQUIRE(C_GetMechanismInfo)
    CPSLOCK_REQUIRE(C_OpenSession)
    CPSLOCK_REQUIRE(C_CloseSession)
    CPSLOCK_REQUIRE(C_Login)
    CPSLOCK_REQUIRE(C_Logout)
    CPSLOCK_REQUIRE(C_GetAttributeValue)
    CPSLOCK_REQUIRE(C_FindObjectsInit)
    CPSLOCK_REQUIRE(C_FindObjects)
    CPSLOCK_REQUIRE(C_FindObjectsFinal)
    CPSLOCK_REQUIRE(C_SignInit)
    CPSLOCK_REQUIRE(C_Sign)
#undef CPSLOCK_REQUIRE
    return nullptr;
}
} // namespace

Pkcs11Module::Pkcs11Module(void* handle, CK_FUNCTION_LIST* functions, std::string path)
    : m_handle(handle), m_functions(functions), m_path(std::move(path)) {}

Pkcs11Module::~Pkcs11Module() {
    if (m_finalize && m_functions != nullptr)
        m_functions->C_Finalize(nullptr);
    if (m_handle != nullptr)
        dlclose(m_handle);
}

Pkcs11Result<std::unique_ptr<Pkcs11Module>> Pkcs11Module::load(const std::string& path) {
    if (path.empty())
        return makeError(Pkcs11Failure::ModuleError, "no PKCS#11 module path configured");
    // A bare name would be looked up through LD_LIBRARY_PATH and friends, which the environment of
    // the process controls: only the path the administrator wrote is loaded.
    if (path.front() != '/')
        return makeError(Pkcs11Failure::ModuleError, "PKCS#11 module path is not absolute: " + path);
    // RTLD_LOCAL: the module's own symbols (OpenSSL of another version, say) stay out of ours.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = dlerror();
        return makeError(Pkcs11Failure::ModuleError,
                         "cannot load PKCS#11 module " + path + ": " + (why != nullptr ? why : "dlopen failed"));
    }
    dlerror();
    void* sym = dlsym(handle, "C_GetFunctionList");
    if (sym == nullptr) {
        dlclose(handle);
        return makeError(Pkcs11Failure::ModuleError, path + " is not a PKCS#11 module (no C_GetFunctionList)");
    }
    // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
    CK_RV (*getFunctionList)(CK_FUNCTION_LIST**) = nullptr;
    static_assert(sizeof getFunctionList == sizeof sym);
    std::memcpy(&getFunctionList, &sym, sizeof sym);
    CK_FUNCTION_LIST* functions = nullptr;
    const CK_RV rv = getFunctionList(&functions);
    if (rv != CKR_OK || functions == nullptr) {
        dlclose(handle);
        return makeError(Pkcs11Failure::ModuleError,
                         path + ": C_GetFunctionList: " + (rv != CKR_OK ? ckrName(rv) : "null function list"));
    }
    return initialize(std::unique_ptr<Pkcs11Module>(new Pkcs11Module(handle, functions, path)));
}

std::shared_ptr<void> Pkcs11Module::map(const std::string& path) {
    if (path.empty() || path.front() != '/')
        return nullptr;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr)
        return nullptr;
    return std::shared_ptr<void>(handle, [](void* h) { dlclose(h); });
}

Pkcs11Result<std::unique_ptr<Pkcs11Module>> Pkcs11Module::fromFunctionList(CK_FUNCTION_LIST* functions,
                                                                           std::string name) {
    if (functions == nullptr)
        return makeError(Pkcs11Failure::ModuleError, name + ": null function list");
    return initialize(std::unique_ptr<Pkcs11Module>(new Pkcs11Module(nullptr, functions, std::move(name))));
}

Pkcs11Result<std::unique_ptr<Pkcs11Module>> Pkcs11Module::initialize(std::unique_ptr<Pkcs11Module> module) {
    const CK_FUNCTION_LIST& f = *module->m_functions;
    // 3.0 modules still hand out a 2.x-layout list from C_GetFunctionList; anything else is foreign.
    if (f.version.major != 2 && f.version.major != 3)
        return makeError(Pkcs11Failure::ModuleError, module->m_path + ": unsupported Cryptoki version " +
                                                         std::to_string(f.version.major) + "." +
                                                         std::to_string(f.version.minor));
    if (const char* missing = missingFunction(f))
        return makeError(Pkcs11Failure::ModuleError, module->m_path + ": function list lacks " + missing);

    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = f.C_Initialize(&args);
    if (rv == CKR_CANT_LOCK)
        rv = f.C_Initialize(nullptr); // no OS locking: fine, our callers are single-threaded
    if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        // Someone else in the process owns the initialisation; finalising would pull the module
        // from under them.
        module->m_finalize = false;
        return module;
    }
    if (rv != CKR_OK)
        return makeError(Pkcs11Failure::ModuleError, module->m_path + ": C_Initialize: " + ckrName(rv));
    module->m_finalize = true;
    return module;
}

} // namespace cpslock::card
