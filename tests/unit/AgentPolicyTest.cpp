// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentPolicy.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using cpslock::GuardSettings;
using cpslock::RemovalAction;
using cpslock::ServiceLossAction;
using cpslock::agent::agentPolicyFrom;
using cpslock::agent::guardSettingsFrom;
namespace policy = cpslock::policy;

TEST(AgentPolicyTest, DefaultPolicyGivesTheGuardsSecureDefaults) {
    EXPECT_EQ(guardSettingsFrom(policy::Policy{}), GuardSettings{});
}

TEST(AgentPolicyTest, EverySessionAndServiceKeyIsMapped) {
    policy::Policy p;
    p.session.removalAction = RemovalAction::Logout;
    p.session.idleTimeout = policy::Duration(300);
    p.session.idleWarning = policy::Duration(20);
    p.session.requireCard = false;
    p.session.requireCardGrace = policy::Duration(42);
    p.service.lossAction = ServiceLossAction::None;
    p.service.lossGrace = policy::Duration(7);
    const GuardSettings s = guardSettingsFrom(p);
    EXPECT_EQ(s.removalAction, RemovalAction::Logout);
    EXPECT_EQ(s.idleTimeout, 300s);
    EXPECT_EQ(s.idleWarning, 20s);
    EXPECT_FALSE(s.requireCard);
    EXPECT_EQ(s.requireCardGrace, 42s);
    EXPECT_EQ(s.serviceLossAction, ServiceLossAction::None);
    EXPECT_EQ(s.serviceLossGrace, 7s);

    p.session.removalAction = RemovalAction::None;
    EXPECT_EQ(guardSettingsFrom(p).removalAction, RemovalAction::None);
}

TEST(AgentPolicyTest, AnExemptSessionIsNeverLockedByTheGuard) {
    policy::Policy p;
    p.session.removalAction = RemovalAction::Logout;
    p.session.idleTimeout = policy::Duration(300);
    const GuardSettings s = guardSettingsFrom(p, true);
    EXPECT_EQ(s.removalAction, RemovalAction::None);
    EXPECT_EQ(s.idleTimeout, 0ms);
    EXPECT_FALSE(s.requireCard);
    EXPECT_EQ(s.serviceLossAction, ServiceLossAction::None);
    EXPECT_EQ(agentPolicyFrom(p, true).guard, s);
    // Not exempt: the policy as written.
    EXPECT_EQ(guardSettingsFrom(p, false).removalAction, RemovalAction::Logout);
    EXPECT_EQ(guardSettingsFrom(p, false).idleTimeout, 300s);
}

TEST(AgentPolicyTest, LockerCommandAndAuditSinkAreCarried) {
    policy::Policy p;
    p.locker.command = {"/usr/bin/xsecurelock", "--flag"};
    p.audit.sink = cpslock::AuditDestination::Syslog;
    const auto a = agentPolicyFrom(p);
    EXPECT_EQ(a.lockCommand, p.locker.command);
    EXPECT_EQ(a.auditSink, "syslog");
    EXPECT_EQ(agentPolicyFrom(policy::Policy{}).auditSink, "journald");
}
