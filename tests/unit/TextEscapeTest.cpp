// SPDX-License-Identifier: EUPL-1.2
#include "core/TextEscape.h"

#include <gtest/gtest.h>

#include <string>

using cpslock::appendEscaped;
using cpslock::EscapeStyle;
using cpslock::utf8Prefix;

namespace {

std::string escaped(std::string_view text, EscapeStyle style) {
    std::string out;
    appendEscaped(out, text, style);
    return out;
}

} // namespace

TEST(TextEscapeTest, C0AndDelAreHexInShownAndQuoted) {
    for (EscapeStyle style : {EscapeStyle::Shown, EscapeStyle::Quoted}) {
        EXPECT_EQ(escaped("a\nb", style), "a\\x0ab");
        EXPECT_EQ(escaped("\x1b[2J", style), "\\x1b[2J");
        EXPECT_EQ(escaped(std::string_view("\0x", 2), style), "\\x00x");
        EXPECT_EQ(escaped("\x7f", style), "\\x7f");
    }
}

TEST(TextEscapeTest, C1IsEscapedInEveryStyle) {
    // U+009B (CSI) is the one-character form of ESC [: a terminal acts on it as on "\x1b[".
    EXPECT_EQ(escaped("a\xc2\x9b"
                      "31m",
                      EscapeStyle::Shown),
              "a\\u009b31m");
    EXPECT_EQ(escaped("\xc2\x80\xc2\x9f", EscapeStyle::Quoted), "\\u0080\\u009f");
    EXPECT_EQ(escaped("\xc2\x9b", EscapeStyle::Json), "\\u009B");
    // U+00A0 and above are ordinary characters.
    EXPECT_EQ(escaped("\xc2\xa0\xc3\xa9", EscapeStyle::Shown), "\xc2\xa0\xc3\xa9");
    // A lone lead byte at the end is copied: there is no C1 character to act on.
    EXPECT_EQ(escaped("x\xc2", EscapeStyle::Shown), "x\xc2");
}

TEST(TextEscapeTest, QuotesAndBackslashes) {
    EXPECT_EQ(escaped("say \"hi\" \\o/", EscapeStyle::Shown), "say \"hi\" \\o/");
    EXPECT_EQ(escaped("say \"hi\" \\o/", EscapeStyle::Quoted), "say \\\"hi\\\" \\\\o/");
    EXPECT_EQ(escaped("say \"hi\" \\o/", EscapeStyle::Json), "say \\\"hi\\\" \\\\o/");
}

TEST(TextEscapeTest, JsonUsesShortEscapesAndUnicodeForOtherControls) {
    EXPECT_EQ(escaped("a\nb\tc\rd", EscapeStyle::Json), "a\\nb\\tc\\rd");
    EXPECT_EQ(escaped("\x01\x1b\x7f", EscapeStyle::Json), "\\u0001\\u001B\\u007F");
    EXPECT_EQ(escaped("Médecin", EscapeStyle::Json), "Médecin");
}

TEST(TextEscapeTest, AppendsToWhatIsThere) {
    std::string out = "key=";
    appendEscaped(out, "v\n", EscapeStyle::Quoted);
    EXPECT_EQ(out, "key=v\\x0a");
}

TEST(TextEscapeTest, PrefixNeverSplitsAUtf8Character) {
    EXPECT_EQ(utf8Prefix("abcdef", 3), "abc");
    EXPECT_EQ(utf8Prefix("abc", 10), "abc");
    EXPECT_EQ(utf8Prefix("ab\xc3\xa9", 3), "ab"); // é cut in half: dropped
    EXPECT_EQ(utf8Prefix("ab\xc3\xa9", 4), "ab\xc3\xa9");
    EXPECT_EQ(utf8Prefix("a\xe2\x82\xac", 3), "a");      // € (3 bytes) cut
    EXPECT_EQ(utf8Prefix("a\xf0\x9f\x94\x92z", 4), "a"); // 4-byte character cut
    EXPECT_EQ(utf8Prefix("\xc2\x9b"
                         "x",
                         1),
              ""); // a C1 character is not split either
    EXPECT_EQ(utf8Prefix("abc", 0), "");
}
