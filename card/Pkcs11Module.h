// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/Pkcs11Failure.h"

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>

namespace cpslock::card {

/// A loaded, initialised PKCS#11 module: dlopen(RTLD_NOW | RTLD_LOCAL), C_GetFunctionList,
/// C_Initialize (CKF_OS_LOCKING_OK). The destructor calls C_Finalize, unless the module was
/// already initialised by someone else in this process, then dlclose.
///
/// Every function pointer the card check uses is checked once here, so that callers can call
/// through functions() without testing for null.
class Pkcs11Module {
public:
    /// path must be absolute (no search through LD_LIBRARY_PATH).
    /// @retval module-error when the file cannot be loaded, is not a PKCS#11 module, lacks a
    ///         function the check needs or C_Initialize fails (detail: the CK_RV name or dlerror()).
    static Pkcs11Result<std::unique_ptr<Pkcs11Module>> load(const std::string& path);

    /// Maps the library (dlopen) without calling into it, so that a later load() of the same path,
    /// perhaps from another thread, is quick. Kept mapped while the result lives; null when it
    /// cannot be mapped (load() then says why).
    static std::shared_ptr<void> map(const std::string& path);

    /// Test seam: wraps a function list that was not loaded with dlopen (a fake module). It is
    /// initialised and finalised like a real one; nothing is dlclose'd.
    static Pkcs11Result<std::unique_ptr<Pkcs11Module>> fromFunctionList(CK_FUNCTION_LIST* functions, std::string name);

    ~Pkcs11Module();
    Pkcs11Module(const Pkcs11Module&) = delete;
    Pkcs11Module& operator=(const Pkcs11Module&) = delete;

    const CK_FUNCTION_LIST& functions() const { return *m_functions; }
    const std::string& path() const { return m_path; }
    /// False when another user in the process had initialised it (we then do not finalise).
    bool ownsInitialization() const { return m_finalize; }

private:
    Pkcs11Module(void* handle, CK_FUNCTION_LIST* functions, std::string path);
    static Pkcs11Result<std::unique_ptr<Pkcs11Module>> initialize(std::unique_ptr<Pkcs11Module> module);

    void* m_handle = nullptr;
    CK_FUNCTION_LIST* m_functions = nullptr;
    std::string m_path;
    bool m_finalize = false;
};

} // namespace cpslock::card
