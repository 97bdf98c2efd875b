// SPDX-License-Identifier: EUPL-1.2
// The loader against real files: modes, owners, symlinks, FIFOs, sizes. Runs as root in CI
// (chown to 65534 needs it); the expected owner is injected, never switched off.

#include "core/policy/PolicyLoader.h"
#include "platform/linux/DiskPolicyFiles.h"
#include "platform/linux/FileSecurity.h"
#include "tests/unit/PolicyTestFiles.h"
#include "tests/unit/PolicyTestProbes.h"
#include "tests/unit/ProbedDiskFiles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace cpslock;
using namespace cpslock::policy;
using cpslock::platform::DiskPolicyFiles;
using cpslock::platform::FileSecurity;
using cpslock::policy::probes::acceptEveryPath;
using cpslock::policy::testing::ProbedDiskFiles;
using cpslock::policy::testing::runningAsRoot;
using cpslock::policy::testing::TempPolicyDir;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

constexpr uid_t kNobody = 65534;

std::vector<std::string> errors(const LoadResult& r) {
    std::vector<std::string> out;
    for (const Diagnostic& d : r.diagnostics) {
        if (d.severity == Diagnostic::Severity::Error)
            out.push_back(d.format());
    }
    return out;
}

std::vector<std::string> notes(const LoadResult& r) {
    std::vector<std::string> out;
    for (const Diagnostic& d : r.diagnostics) {
        if (d.severity == Diagnostic::Severity::Note)
            out.push_back(d.format());
    }
    return out;
}

class PolicyFileSecurityTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Not a skip: ctest counts a skipped test as passed (issue 10, test audit). A fatal failure here
        // also keeps the test body from running.
        if (!runningAsRoot())
            GTEST_FAIL() << "needs root: policy files must be owned by root and the tests chown to 65534 "
                            "(run the tests as root, as CI does)";
        m_location.mainFile = m_dir.at("policy.toml");
        m_location.dropInDir = m_dir.at("policy.d");
        m_location.mainFileRequired = true;
        m_dir.mkdir("policy.d");
    }

    /// The files the policies below name exist and are root's: unless a test says otherwise, the
    /// probe itself is real.
    LoadResult load(const LoadOptions& options = {}, const PolicyFileSource& files = DiskPolicyFiles{}) const {
        return loadPolicy(m_location, files, options);
    }
    LoadResult loadAcceptingEveryPath(const LoadOptions& options = {}) const {
        return load(options, ProbedDiskFiles(FileSecurity{}, acceptEveryPath));
    }

    TempPolicyDir m_dir;
    PolicyLocation m_location;
};

} // namespace

TEST(PolicyFileSecurityRulesTest, OwnerAndModeRules) {
    auto why = [](const Result<void>& r) { return r ? std::string("acceptable") : r.error().message; };
    const FileSecurity root{};
    EXPECT_TRUE(root.checkOwnership(0, S_IFREG | 0644));
    EXPECT_TRUE(root.checkOwnership(0, S_IFREG | 0600));
    EXPECT_TRUE(root.checkOwnership(0, S_IFDIR | 0755));
    EXPECT_EQ(why(root.checkOwnership(0, S_IFREG | 0664)), "writable by group (mode 0664); fix with chmod go-w");
    EXPECT_EQ(why(root.checkOwnership(0, S_IFREG | 0646)), "writable by others (mode 0646); fix with chmod go-w");
    EXPECT_EQ(why(root.checkOwnership(0, S_IFDIR | 01777)),
              "writable by group and others (mode 1777); fix with chmod go-w");
    EXPECT_EQ(why(root.checkOwnership(1000, S_IFREG | 0644)), "owned by uid 1000, must be owned by root");
    const FileSecurity injected{1000};
    EXPECT_TRUE(injected.checkOwnership(1000, S_IFREG | 0644));
    EXPECT_EQ(why(injected.checkOwnership(0, S_IFREG | 0644)), "owned by uid 0, must be owned by uid 1000");
}

TEST_F(PolicyFileSecurityTest, RootOwnedFilesLoadInNameOrder) {
    m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\nremoval_action = \"logout\"\n");
    m_dir.write("policy.d/20-b.toml", "[session]\nidle_timeout = \"3m\"\n");
    m_dir.write("policy.d/10-a.toml", "[session]\nidle_timeout = \"4m\"\nidle_warning = \"1m\"\n");
    m_dir.write("policy.d/README", "not policy, ignored");
    m_dir.write("policy.d/30-c.toml.dpkg-old", "[session]\nidle_timeout = \"1m\"\n");
    m_dir.write("policy.d/.40-d.toml", "[session]\nidle_timeout = \"1m\"\n");
    const LoadResult r = load();
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errors(r));
    EXPECT_THAT(r.files,
                ElementsAre(m_dir.at("policy.toml"), m_dir.at("policy.d/10-a.toml"), m_dir.at("policy.d/20-b.toml")));
    EXPECT_EQ(r.policy.session.idleTimeout, Duration{180});
    EXPECT_EQ(r.policy.session.idleWarning, Duration{60});
    EXPECT_EQ(r.policy.session.removalAction, RemovalAction::Logout);
    EXPECT_EQ(r.provenance.at("session.idle_timeout"), (SourceLocation{m_dir.at("policy.d/20-b.toml"), 2, 1}));
    EXPECT_THAT(notes(r),
                ElementsAre(HasSubstr(".40-d.toml: note: ignored"), HasSubstr("30-c.toml.dpkg-old: note: ignored"),
                            HasSubstr("README: note: ignored")));
}

TEST_F(PolicyFileSecurityTest, ControlCharactersInFileNamesAreEscaped) {
    m_dir.write("policy.toml", "# defaults\n");
    m_dir.write("policy.d/10-\x1b[2J.toml", "[session]\nidle_timout = \"1m\"\n");
    const LoadResult r = load();
    EXPECT_THAT(errors(r),
                ElementsAre(m_dir.at("policy.d/10-\\x1b[2J.toml") +
                            ":2:1: error: unknown key 'idle_timout' in [session] (did you mean 'idle_timeout'?)"));
}

TEST_F(PolicyFileSecurityTest, GroupOrWorldWritableFileIsRefused) {
    m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\n", 0664);
    m_dir.write("policy.d/10.toml", "[session]\nidle_warning = \"1m\"\n", 0666);
    const LoadResult r = load();
    EXPECT_THAT(
        errors(r),
        ElementsAre(m_dir.at("policy.toml") +
                        ": error: insecure file: writable by group (mode 0664); fix with chmod go-w",
                    m_dir.at("policy.d/10.toml") +
                        ": error: insecure file: writable by group and others (mode 0666); fix with chmod go-w"));
}

TEST_F(PolicyFileSecurityTest, FileNotOwnedByRootIsRefused) {
    const std::string main = m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\n");
    ASSERT_EQ(::chown(main.c_str(), kNobody, kNobody), 0);
    const std::string dropIn = m_dir.write("policy.d/10.toml", "[session]\nidle_warning = \"1m\"\n");
    ASSERT_EQ(::chown(dropIn.c_str(), kNobody, 0), 0);
    const LoadResult r = load();
    EXPECT_THAT(errors(r), ElementsAre(main + ": error: insecure file: owned by uid 65534, must be owned by root",
                                       dropIn + ": error: insecure file: owned by uid 65534, must be owned by root"));
}

TEST_F(PolicyFileSecurityTest, InsecureFoldersAreRefused) {
    m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\n");
    ASSERT_EQ(::chmod(m_dir.path().c_str(), 01777), 0);
    const std::string dropIns = m_dir.at("policy.d");
    ASSERT_EQ(::chown(dropIns.c_str(), kNobody, kNobody), 0);
    const LoadResult r = load();
    EXPECT_THAT(errors(r),
                ElementsAre(m_dir.path() + ": error: insecure folder: writable by group and others (mode 1777); "
                                           "fix with chmod go-w",
                            dropIns + ": error: insecure folder: owned by uid 65534, must be owned by root"));
}

TEST_F(PolicyFileSecurityTest, ExpectedOwnerIsInjectedNotSkipped) {
    const std::string main = m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\n");
    const ProbedDiskFiles nobody(FileSecurity{kNobody}, acceptEveryPath);
    // Root's files are refused when another owner is expected...
    EXPECT_THAT(errors(load({}, nobody)), Contains(HasSubstr("owned by uid 0, must be owned by uid 65534")));
    // ...and that owner's files, folders included, are accepted.
    ASSERT_EQ(::chown(main.c_str(), kNobody, kNobody), 0);
    ASSERT_EQ(::chown(m_dir.path().c_str(), kNobody, kNobody), 0);
    ASSERT_EQ(::chown(m_dir.at("policy.d").c_str(), kNobody, kNobody), 0);
    const LoadResult r = load({}, nobody);
    EXPECT_TRUE(r.ok()) << ::testing::PrintToString(errors(r));
    EXPECT_EQ(r.policy.session.idleTimeout, Duration{1200});
}

TEST_F(PolicyFileSecurityTest, SymlinksAreRefused) {
    const std::string real = m_dir.write("real.toml", "[session]\nidle_timeout = \"20m\"\n");
    ASSERT_EQ(::symlink(real.c_str(), m_dir.at("policy.toml").c_str()), 0);
    ASSERT_EQ(::symlink(real.c_str(), m_dir.at("policy.d/10.toml").c_str()), 0);
    const LoadResult r = load();
    EXPECT_THAT(errors(r), ElementsAre(HasSubstr("policy.toml: error: symbolic link refused"),
                                       HasSubstr("policy.d/10.toml: error: symbolic link refused")));
}

TEST_F(PolicyFileSecurityTest, SymlinkedDropInFolderIsRefused) {
    m_dir.write("policy.toml", "# defaults\n");
    m_dir.mkdir("elsewhere");
    m_location.dropInDir = m_dir.at("linked.d");
    ASSERT_EQ(::symlink(m_dir.at("elsewhere").c_str(), m_location.dropInDir.c_str()), 0);
    EXPECT_THAT(errors(load()), ElementsAre(m_location.dropInDir + ": error: folder is a symbolic link (refused)"));
}

TEST_F(PolicyFileSecurityTest, FifoAndFolderNamedTomlAreRefusedWithoutHanging) {
    m_dir.write("policy.toml", "# defaults\n");
    ASSERT_EQ(::mkfifo(m_dir.at("policy.d/10-fifo.toml").c_str(), 0644), 0);
    m_dir.mkdir("policy.d/20-dir.toml");
    EXPECT_THAT(errors(load()), ElementsAre(HasSubstr("10-fifo.toml: error: not a regular file"),
                                            HasSubstr("20-dir.toml: error: not a regular file")));
}

TEST_F(PolicyFileSecurityTest, HugeFileIsRefused) {
    m_dir.write("policy.toml", "# " + std::string(300 * 1024, 'x') + "\n");
    EXPECT_THAT(errors(load()),
                ElementsAre(AllOf(HasSubstr("policy.toml: error: file too large"), HasSubstr("at most 262144"))));
}

TEST_F(PolicyFileSecurityTest, MissingMainFile) {
    // Named explicitly: an error.
    EXPECT_THAT(errors(load()), ElementsAre(m_dir.at("policy.toml") + ": error: file does not exist"));
    // The default location: built-in defaults, said in a note.
    m_location.mainFileRequired = false;
    const LoadResult r = loadAcceptingEveryPath();
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.policy, Policy{});
    EXPECT_THAT(notes(r), ElementsAre(HasSubstr("no main policy file: built-in defaults apply")));
}

TEST_F(PolicyFileSecurityTest, MissingDropInFolderIsFine) {
    m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\n");
    m_location.dropInDir = m_dir.at("nowhere.d");
    const LoadResult r = loadAcceptingEveryPath();
    EXPECT_TRUE(r.ok()) << ::testing::PrintToString(errors(r));
}

TEST_F(PolicyFileSecurityTest, TooManyDropInsAreRefused) {
    m_dir.write("policy.toml", "# defaults\n");
    for (const char* name : {"policy.d/1.toml", "policy.d/2.toml", "policy.d/3.toml"})
        m_dir.write(name, "# x\n");
    LoadOptions options;
    options.maxDropIns = 2;
    EXPECT_THAT(errors(load(options)),
                ElementsAre(m_dir.at("policy.d") + ": error: too many drop-in files (3, at most 2)"));
    options.maxDropIns = 3;
    EXPECT_TRUE(loadAcceptingEveryPath(options).ok());
}

TEST_F(PolicyFileSecurityTest, DropInFolderEqualToMainFolderReadsMainFileOnce) {
    m_dir.write("policy.toml", "[session]\nidle_timeout = \"20m\"\n");
    m_dir.write("site.toml", "[session]\nidle_warning = \"1m\"\n");
    m_location.dropInDir = m_dir.path();
    const LoadResult r = loadAcceptingEveryPath();
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errors(r));
    EXPECT_THAT(r.files, ElementsAre(m_dir.at("policy.toml"), m_dir.at("site.toml")));
}

TEST_F(PolicyFileSecurityTest, RefusedFileAndParseErrorsAreReportedTogether) {
    m_dir.write("policy.toml", "[session]\nidle_timout = \"20m\"\n");
    m_dir.write("policy.d/10.toml", "[pin]\nlast_try = \"warn\"\n", 0646);
    EXPECT_THAT(errors(load()), ElementsAre(HasSubstr("policy.toml:2:1: error: unknown key 'idle_timout'"),
                                            HasSubstr("10.toml: error: insecure file")));
}

TEST_F(PolicyFileSecurityTest, RealPathProbe) {
    const std::string anchors = m_dir.mkdir("anchors");
    const std::string openAnchors = m_dir.mkdir("anchors-open", 0777);
    const std::string theirs = m_dir.mkdir("anchors-theirs");
    ASSERT_EQ(::chown(theirs.c_str(), kNobody, kNobody), 0);
    const std::string deny = m_dir.write("deny", "");
    const std::string script = m_dir.write("lock.sh", "#!/bin/sh\n", 0755);
    const std::string notExec = m_dir.write("lock-noexec", "#!/bin/sh\n", 0644);
    auto policy = [&](const std::string& anchorsDir, const std::string& denylist, const std::string& locker) {
        return "[trust]\nanchors_dir = \"" + anchorsDir + "\"\ncrl_dir = \"" + anchors + "\"\ndenylist = \"" +
               denylist + "\"\n[pkcs11]\nmodules = [\"" + deny + "\"]\n[locker]\ncommand = [\"" + locker + "\"]\n";
    };
    m_dir.write("policy.toml", policy(anchors, deny, script));
    const LoadResult good = load();
    EXPECT_TRUE(good.ok()) << ::testing::PrintToString(errors(good));

    m_dir.write("policy.toml", policy(openAnchors, anchors, notExec));
    const std::string main = m_dir.at("policy.toml");
    EXPECT_THAT(errors(load()),
                ElementsAre(main + ":2:1: error: 'trust.anchors_dir' = \"" + openAnchors +
                                "\": insecure: writable by group and others (mode 0777); fix with chmod go-w",
                            main + ":4:1: error: 'trust.denylist' = \"" + anchors + "\": is not a regular file",
                            main + ":8:1: error: 'locker.command' = \"" + notExec + "\": is not executable"));

    m_dir.write("policy.toml", policy(theirs, m_dir.at("nothing"), script));
    EXPECT_THAT(errors(load()),
                ElementsAre(HasSubstr("'trust.anchors_dir' = \"" + theirs + "\": insecure: owned by uid 65534"),
                            HasSubstr("'trust.denylist' = \"" + m_dir.at("nothing") + "\": does not exist")));
}
