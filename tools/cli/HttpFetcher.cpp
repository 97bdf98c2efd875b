// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/HttpFetcher.h"

#include <curl/curl.h>

#include <memory>

namespace cpslock::cli {
namespace {

struct Download {
    std::vector<std::uint8_t>* body;
    std::size_t maxBytes;
    bool tooLarge = false;
};

std::size_t onData(char* data, std::size_t size, std::size_t count, void* user) {
    auto* download = static_cast<Download*>(user);
    const std::size_t n = size * count;
    if (download->body->size() + n > download->maxBytes) {
        download->tooLarge = true;
        return 0; // makes libcurl stop with CURLE_WRITE_ERROR
    }
    download->body->insert(download->body->end(), data, data + n);
    return n;
}

struct CurlFree {
    void operator()(CURL* p) const { curl_easy_cleanup(p); }
};

} // namespace

HttpFetcher::HttpFetcher(Limits limits, std::string proxy) : m_limits(limits), m_proxy(std::move(proxy)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

HttpFetcher::~HttpFetcher() {
    curl_global_cleanup();
}

Result<std::vector<std::uint8_t>> HttpFetcher::get(const std::string& url) const {
    std::vector<std::uint8_t> body;
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl)
        return fail("cannot initialise libcurl");
    Download download{&body, m_limits.maxBytes};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
    // An empty proxy string disables proxies, including http_proxy & co. from the environment.
    curl_easy_setopt(h, CURLOPT_PROXY, m_proxy.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(m_limits.connectTimeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(m_limits.totalTimeout.count()));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(m_limits.maxBytes));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cpslock-crl-update");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onData);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &download);
    char errorText[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorText);

    const CURLcode code = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (download.tooLarge || code == CURLE_FILESIZE_EXCEEDED)
        return fail("larger than " + std::to_string(m_limits.maxBytes) + " bytes (refused)");
    if (code == CURLE_OPERATION_TIMEDOUT)
        return fail(std::string("timeout (") + (errorText[0] != '\0' ? errorText : curl_easy_strerror(code)) + ")");
    if (code != CURLE_OK)
        return fail(errorText[0] != '\0' ? errorText : curl_easy_strerror(code));
    if (status != 200)
        return fail("HTTP " + std::to_string(status));
    return body;
}

} // namespace cpslock::cli
