# SPDX-License-Identifier: EUPL-1.2
# One INTERFACE target carries warnings and hardening; every cpslock target links it.
add_library(cpslock_build_flags INTERFACE)

target_compile_options(cpslock_build_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-qual -Wformat=2 -Wimplicit-fallthrough
    -fstack-protector-strong -fno-common)

if(CPSLOCK_WERROR)
    target_compile_options(cpslock_build_flags INTERFACE -Werror)
endif()

# _FORTIFY_SOURCE needs optimisation; sanitizer builds leave it out (it confuses ASan).
if(NOT CPSLOCK_SANITIZE)
    target_compile_definitions(cpslock_build_flags INTERFACE
        $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
endif()

target_link_options(cpslock_build_flags INTERFACE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

if(CPSLOCK_SANITIZE)
    target_compile_options(cpslock_build_flags INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(cpslock_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# Shared objects export only what they mark (the PAM module: pam_sm_* alone).
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)
