// Each rule broken alone in an otherwise conforming image gives exactly that
// rule's violation.
#include "pecheck/pe_rules.h"

#include <gtest/gtest.h>

#include <vector>

#include "pe_builder.h"

namespace {

using mpxe::pe::check_pe;
using mpxe::pe::Rule;
using mpxe::pe::Violation;
using mpxe::test::TestPe;

std::vector<Rule> rules_of(const std::vector<Violation>& violations) {
  std::vector<Rule> rules;
  for (const Violation& v : violations) rules.push_back(v.rule);
  return rules;
}

std::vector<Rule> check(const TestPe& pe) { return rules_of(check_pe(pe.build())); }

TEST(PeRules, DefaultTestImageConforms) {
  std::vector<Violation> violations = check_pe(TestPe{}.build());
  for (const Violation& v : violations) ADD_FAILURE() << rule_name(v.rule) << ": " << v.message;
  EXPECT_TRUE(violations.empty());
}

TEST(PeRules, AllThreeEfiSubsystemsConform) {
  for (uint16_t subsystem : {10, 11, 12}) {
    TestPe pe;
    pe.subsystem = subsystem;
    EXPECT_EQ(check(pe), std::vector<Rule>{}) << subsystem;
  }
}

TEST(PeRules, WrongMachine) {
  TestPe pe;
  pe.machine = 0x014C;  // i386
  std::vector<Violation> v = check_pe(pe.build());
  ASSERT_EQ(rules_of(v), std::vector<Rule>{Rule::Machine});
  EXPECT_NE(v[0].message.find("0x14c"), std::string::npos) << v[0].message;
}

TEST(PeRules, Pe32MagicSkipsOptionalHeaderRules) {
  TestPe pe;
  pe.magic = 0x010B;
  pe.dll_characteristics = 0;  // would break nx-compat, but PE32 fields are not read
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::Pe32PlusMagic});
}

TEST(PeRules, NonEfiSubsystem) {
  TestPe pe;
  pe.subsystem = 3;  // Windows console
  std::vector<Violation> v = check_pe(pe.build());
  ASSERT_EQ(rules_of(v), std::vector<Rule>{Rule::EfiSubsystem});
  EXPECT_NE(v[0].message.find("Subsystem is 3"), std::string::npos) << v[0].message;
}

TEST(PeRules, SectionAlignmentNotPageSize) {
  TestPe pe;
  pe.section_alignment = 0x200;  // what broke memory protection for the prototype's UNDI driver
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::SectionAlignment});
}

TEST(PeRules, SectionAlignmentLargerThanPageSize) {
  TestPe pe;
  pe.section_alignment = 0x2000;
  pe.sections = {{".text", 0x2000, 0x10, mpxe::test::kCode, 0x200},
                 {".reloc", 0x4000, 0x0C, mpxe::test::kRelocations, 0x200}};
  pe.entry_point = 0x2000;
  pe.directories = {{5, 0x4000, 0x0C}};
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::SectionAlignment});
}

TEST(PeRules, SectionAddressNotPageAligned) {
  TestPe pe;
  pe.sections[1].virtual_address = 0x1800;  // .data right after .text's 0x123 bytes
  std::vector<Violation> v = check_pe(pe.build());
  ASSERT_EQ(rules_of(v), std::vector<Rule>{Rule::SectionAddress});
  EXPECT_NE(v[0].message.find(".data"), std::string::npos) << v[0].message;
  EXPECT_NE(v[0].message.find("0x1800"), std::string::npos) << v[0].message;
}

TEST(PeRules, NotNxCompatible) {
  TestPe pe;
  pe.dll_characteristics = 0x0060;  // DYNAMIC_BASE | HIGH_ENTROPY_VA
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::NxCompat});
}

TEST(PeRules, WritableAndExecutableSection) {
  TestPe pe;
  pe.sections[0].characteristics |= 0x80000000;  // .text gains MEM_WRITE
  std::vector<Violation> v = check_pe(pe.build());
  ASSERT_EQ(rules_of(v), std::vector<Rule>{Rule::WriteExecute});
  EXPECT_NE(v[0].message.find(".text"), std::string::npos) << v[0].message;
}

TEST(PeRules, EmptyBaseRelocationDirectory) {
  TestPe pe;
  pe.directories = {{5, 0x3000, 0}};
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::BaseRelocations});
}

TEST(PeRules, NoBaseRelocationEntryAtAll) {
  TestPe pe;
  pe.directory_count = 5;  // export .. security: entry 5 does not exist
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::BaseRelocations});
}

TEST(PeRules, EntryPointInDataSection) {
  TestPe pe;
  pe.entry_point = 0x2000;
  std::vector<Violation> v = check_pe(pe.build());
  ASSERT_EQ(rules_of(v), std::vector<Rule>{Rule::EntryPointExecutable});
  EXPECT_NE(v[0].message.find(".data"), std::string::npos) << v[0].message;
}

TEST(PeRules, EntryPointOutsideEverySection) {
  TestPe pe;
  pe.entry_point = 0x9000;
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::EntryPointExecutable});
}

TEST(PeRules, DiscardableSectionHoldingTheEntryPoint) {
  TestPe pe;
  pe.sections[0].characteristics |= 0x02000000;
  EXPECT_EQ(check(pe), std::vector<Rule>{Rule::DiscardableNeeded});
}

TEST(PeRules, DiscardableSectionHoldingTheImportDirectory) {
  TestPe pe;
  pe.directories.push_back({1, 0x3004, 0x4});
  std::vector<Violation> v = check_pe(pe.build());
  ASSERT_EQ(rules_of(v), std::vector<Rule>{Rule::DiscardableNeeded});
  EXPECT_NE(v[0].message.find("import"), std::string::npos) << v[0].message;
}

TEST(PeRules, DiscardableRelocationsAndDebugAreFine) {
  TestPe pe;
  pe.directories.push_back({6, 0x3000, 0x1C});  // debug directory in .reloc
  EXPECT_EQ(check(pe), std::vector<Rule>{});
}

TEST(PeRules, SeveralViolationsInRuleOrder) {
  TestPe pe;
  pe.machine = 0xAA64;
  pe.section_alignment = 0x200;
  pe.dll_characteristics = 0;
  pe.directories.clear();
  pe.sections[1].characteristics |= 0x20000000;  // .data gains MEM_EXECUTE
  EXPECT_EQ(check(pe), (std::vector<Rule>{Rule::Machine, Rule::SectionAlignment, Rule::NxCompat,
                                          Rule::WriteExecute, Rule::BaseRelocations}));
}

TEST(PeRules, RuleNamesAreDistinct) {
  std::vector<std::string> names;
  for (int r = static_cast<int>(Rule::Malformed); r <= static_cast<int>(Rule::Signed); ++r)
    names.push_back(rule_name(static_cast<Rule>(r)));
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = i + 1; j < names.size(); ++j) EXPECT_NE(names[i], names[j]);
  EXPECT_STREQ(rule_name(Rule::SectionAlignment), "section-alignment");
}

}  // namespace
