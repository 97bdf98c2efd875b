// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cpslock::cli {

/// Downloads one public file over HTTP(S) with libcurl, within limits a root job needs: http and
/// https only (redirects too, at most 3), a connect and a total timeout, a size limit (checked on
/// Content-Length and while receiving), no proxy unless one is given (the environment's proxy
/// variables are ignored: a root timer must not be steered by them), no content decoding.
class HttpFetcher {
public:
    struct Limits {
        std::chrono::seconds connectTimeout{15};
        std::chrono::seconds totalTimeout{120};
        std::size_t maxBytes = std::size_t{32} * 1024U * 1024U;
    };

    HttpFetcher(Limits limits, std::string proxy);
    HttpFetcher(const HttpFetcher&) = delete;
    HttpFetcher& operator=(const HttpFetcher&) = delete;
    ~HttpFetcher();

    /// The body; the error says why not ("HTTP 404", "timeout (…)", …).
    Result<std::vector<std::uint8_t>> get(const std::string& url) const;

private:
    Limits m_limits;
    std::string m_proxy;
};

} // namespace cpslock::cli
