#include "workflow/case_review/threshold.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "workflow/time/deadline_rules.h"
#include "workflow/common/validation.h"

namespace casework::workflow::case_review {
namespace {

// The statutory defaults ("6 months", "1 month"), used when a policy rule is
// unusable.
constexpr int kDefaultWindowMonths = 6;
constexpr int kDefaultReportWithinMonths = 1;

// Returns the day `months` calendar months after `day` (before it when
// negative), clamped to the last day of the target month when the day of the
// month does not exist there: 31 Aug minus 6 months = 28 Feb (29 in a leap
// year); 31 Jan plus 1 month = 28/29 Feb.
absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months) {
  const absl::CivilMonth target = absl::CivilMonth(day) + months;
  const absl::CivilDay last_day = absl::CivilDay(target + 1) - 1;
  if (day.day() > last_day.day()) return last_day;
  return absl::CivilDay(target.year(), target.month(), day.day());
}

// `day` moved by `sign` (+1 or -1) times `rule`, on calendar dates.
absl::CivilDay Shift(absl::CivilDay day, const DeadlineRule& rule, int sign) {
  if (rule.unit == DeadlineUnit::kCalendarMonths) {
    return AddMonthsClamped(day, sign * rule.amount);
  }
  return day + sign * rule.amount;
}

// The policy's rule, or `fallback_months` months when it does not parse or is counted in
// working days (which need a holiday calendar).
DeadlineRule RuleOr(const std::string& text, int fallback_months) {
  absl::StatusOr<DeadlineRule> rule = ParseDeadlineRule(text);
  if (!rule.ok() || rule->unit == DeadlineUnit::kWorkingDays) {
    return DeadlineRule{DeadlineUnit::kCalendarMonths, fallback_months, ""};
  }
  return *rule;
}

// The date when `date` is a valid calendar date.
std::optional<absl::CivilDay> ValidDay(const v1::CivilDate& date) {
  if (date.year() < 1 || date.month() < 1 || date.month() > 12 || date.day() < 1) {
    return std::nullopt;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (day.year() != date.year() || day.month() != date.month() || day.day() != date.day()) {
    return std::nullopt;
  }
  return day;
}

std::string FormatDay(absl::CivilDay day) { return FormatDate(ToCivilDate(day)); }

// The number after the last '/' of a complaint name, or the largest int64
// when there is none (such names sort last).
int64_t TrailingNumber(const std::string& name) {
  const size_t slash = name.rfind('/');
  const absl::string_view tail = slash == std::string::npos
                                     ? absl::string_view(name)
                                     : absl::string_view(name).substr(slash + 1);
  int64_t number = 0;
  if (tail.empty() || !absl::SimpleAtoi(tail, &number)) {
    return std::numeric_limits<int64_t>::max();
  }
  return number;
}

// Oldest reported first; ties by the trailing number of the name, then by
// the name itself.
bool ReportedBefore(const v1::LedgerEntry* a, const v1::LedgerEntry* b) {
  const absl::CivilDay ra = ToCivilDay(a->reported_date());
  const absl::CivilDay rb = ToCivilDay(b->reported_date());
  if (ra != rb) return ra < rb;
  const int64_t na = TrailingNumber(a->complaint());
  const int64_t nb = TrailingNumber(b->complaint());
  if (na != nb) return na < nb;
  return a->complaint() < b->complaint();
}

// `entries` without repeated complaint names (the first is kept), sorted by
// ReportedBefore. The pointers point into `entries`.
std::vector<const v1::LedgerEntry*> SortedUnique(const std::vector<v1::LedgerEntry>& entries) {
  std::vector<const v1::LedgerEntry*> out;
  std::set<std::string> names;
  for (const v1::LedgerEntry& e : entries) {
    if (!e.complaint().empty() && !names.insert(e.complaint()).second) continue;
    out.push_back(&e);
  }
  std::stable_sort(out.begin(), out.end(), ReportedBefore);
  return out;
}

// "council", "police", "housing provider", "health".
std::string KindName(v1::AgencyKind kind) {
  if (kind == v1::AGENCY_KIND_UNSPECIFIED) return "an unspecified kind of body";
  std::string name = v1::AgencyKind_Name(kind);
  if (name.empty()) return absl::StrCat("agency kind ", static_cast<int>(kind));
  absl::AsciiStrToLower(&name);
  absl::StrReplaceAll({{"_", " "}}, &name);
  return name;
}

std::string Plural(int64_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

std::string CategoryName(v1::ComplaintCategory category) {
  std::string name = v1::ComplaintCategory_Name(category);
  absl::AsciiStrToLower(&name);
  return name;
}

v1::ConsideredComplaint Considered(const v1::LedgerEntry& e, absl::string_view rule, bool counted,
                                   std::string reason) {
  v1::ConsideredComplaint c;
  c.set_complaint(e.complaint());
  c.set_complainant_reference(e.complainant_reference());
  *c.mutable_behaviour_date() = e.behaviour_date();
  *c.mutable_reported_date() = e.reported_date();
  c.set_agency(e.agency());
  c.set_incident_reference(e.incident_reference());
  c.set_hate_related(e.hate_related());
  c.set_counted(counted);
  c.set_reason(std::move(reason));
  c.set_rule(std::string(rule));
  return c;
}

// The dates and rules one evaluation runs with.
class Window {
 public:
  Window(const v1::ThresholdPolicy& policy, absl::CivilDay application_date)
      : policy_(policy),
        application_date_(application_date),
        window_(RuleOr(policy.window(), kDefaultWindowMonths)),
        report_within_(RuleOr(policy.report_within(), kDefaultReportWithinMonths)),
        start_(Shift(application_date, window_, -1)) {
    for (int kind : policy.relevant_agencies()) relevant_.insert(kind);
  }

  const v1::ThresholdPolicy& policy() const { return policy_; }
  absl::CivilDay start() const { return start_; }
  absl::CivilDay application_date() const { return application_date_; }
  const DeadlineRule& report_within() const { return report_within_; }

  // Reported within [start, application date].
  bool Contains(absl::CivilDay day) const { return start_ <= day && day <= application_date_; }
  bool Relevant(v1::AgencyKind kind) const { return relevant_.count(kind) > 0; }

  // The R1 reason an applicant complaint is excluded for before the
  // same-incident check ((a)-(c) of the header), or nullopt if it qualifies.
  std::optional<std::string> R1Exclusion(const v1::LedgerEntry& e) const {
    const std::optional<absl::CivilDay> reported = ValidDay(e.reported_date());
    if (!reported) return "has no valid reported date";
    if (*reported > application_date_) return "reported after the application";
    if (*reported < start_) {
      return absl::StrCat("outside the window (reported ", FormatDay(*reported), ", window starts ",
                          FormatDay(start_), ")");
    }
    if (!Relevant(e.agency_kind())) {
      return absl::StrCat("made to ", KindName(e.agency_kind()),
                          ", not a relevant body in this policy");
    }
    const std::optional<absl::CivilDay> behaviour = ValidDay(e.behaviour_date());
    if (!behaviour) return "has no valid behaviour date";
    if (*reported > Shift(*behaviour, report_within_, +1)) {
      return absl::StrCat("reported ", Plural(*reported - *behaviour, "day", "days"),
                          " after the behaviour (more than ", report_within_.ToString(), ")");
    }
    return std::nullopt;
  }

  // True when `e` meets R2 on its own (see the header).
  bool MeetsR2(const v1::LedgerEntry& e) const {
    if (!e.hate_related() || !Relevant(e.agency_kind())) return false;
    const std::optional<absl::CivilDay> reported = ValidDay(e.reported_date());
    const std::optional<absl::CivilDay> behaviour = ValidDay(e.behaviour_date());
    if (!reported || !behaviour) return false;
    return *reported <= application_date_ && Contains(*behaviour);
  }

 private:
  const v1::ThresholdPolicy& policy_;
  absl::CivilDay application_date_;
  DeadlineRule window_;
  DeadlineRule report_within_;
  absl::CivilDay start_;
  std::set<int> relevant_;
};

struct R1Result {
  // One entry per complaint, rule "R1", in ReportedBefore order.
  std::vector<v1::ConsideredComplaint> considered;
  // Complaints passing (a)-(c), and those counted (one per incident).
  int qualifying = 0;
  int counted = 0;
};

R1Result ClassifyR1(const Window& window, const std::vector<const v1::LedgerEntry*>& sorted) {
  R1Result result;
  std::map<std::string, std::string> first_of_incident;
  for (const v1::LedgerEntry* e : sorted) {
    std::optional<std::string> excluded = window.R1Exclusion(*e);
    if (!excluded) {
      ++result.qualifying;
      if (!e->incident_reference().empty()) {
        auto [it, inserted] = first_of_incident.emplace(e->incident_reference(), e->complaint());
        if (!inserted) excluded = absl::StrCat("same incident as ", it->second);
      }
    }
    if (excluded) {
      result.considered.push_back(Considered(*e, "R1", false, *std::move(excluded)));
    } else {
      ++result.counted;
      result.considered.push_back(Considered(*e, "R1", true, "counted"));
    }
  }
  return result;
}

// The R2-deciding complaint among `sorted`: the earliest reported one.
const v1::LedgerEntry* FindR2(const Window& window,
                              const std::vector<const v1::LedgerEntry*>& sorted) {
  if (!window.policy().hate_incident_rule()) return nullptr;
  for (const v1::LedgerEntry* e : sorted) {
    if (window.MeetsR2(*e)) return e;
  }
  return nullptr;
}

struct CommunityResult {
  bool met = false;
  // Counted complaints (one per incident), oldest first.
  std::vector<const v1::LedgerEntry*> counted;
  std::set<std::string> complainants;
};

CommunityResult EvaluateCommunity(const Window& window, const ThresholdInput& input) {
  CommunityResult result;
  const v1::CommunityRule& rule = window.policy().community();
  if (!rule.enabled() || input.category == v1::COMPLAINT_CATEGORY_UNSPECIFIED) {
    return result;
  }
  std::set<std::string> incidents;
  for (const v1::LedgerEntry* e : SortedUnique(input.locality_complaints)) {
    const std::optional<absl::CivilDay> reported = ValidDay(e->reported_date());
    if (!reported || !window.Contains(*reported) || e->category() != input.category ||
        !window.Relevant(e->agency_kind())) {
      continue;
    }
    if (!e->incident_reference().empty() && !incidents.insert(e->incident_reference()).second) {
      continue;
    }
    result.counted.push_back(e);
    result.complainants.insert(e->complainant_reference());
    // Met on the oldest complaints that meet it: the rest of the window
    // cannot unmeet it, so it is neither counted nor needed.
    if (static_cast<int>(result.counted.size()) >= std::max(1, rule.complaint_count()) &&
        static_cast<int>(result.complainants.size()) >= std::max(1, rule.min_complainants())) {
      result.met = true;
      break;
    }
  }
  return result;
}

struct SameIncidentResult {
  bool met = false;
  std::string incident;
  // Distinct complainants of the deciding incident, the applicant included.
  int complainants = 0;
  // The earliest complaint of each other complainant, oldest first.
  std::vector<const v1::LedgerEntry*> others;
};

SameIncidentResult EvaluateSameIncident(
    const Window& window, const ThresholdInput& input,
    const std::vector<const v1::LedgerEntry*>& applicant_sorted) {
  SameIncidentResult result;
  const v1::SameIncidentRule& rule = window.policy().same_incident();
  if (!rule.enabled()) return result;
  std::set<std::string> tried;
  for (const v1::LedgerEntry* mine : applicant_sorted) {
    const std::string& incident = mine->incident_reference();
    const std::optional<absl::CivilDay> reported = ValidDay(mine->reported_date());
    if (incident.empty() || !reported || !window.Contains(*reported) ||
        !tried.insert(incident).second) {
      continue;
    }
    std::set<std::string> people = {mine->complainant_reference()};
    if (!input.applicant.empty()) people.insert(input.applicant);
    std::vector<const v1::LedgerEntry*> others;
    auto it = input.incident_complaints.find(incident);
    if (it != input.incident_complaints.end()) {
      for (const v1::LedgerEntry* e : SortedUnique(it->second)) {
        const std::optional<absl::CivilDay> day = ValidDay(e->reported_date());
        if (!day || !window.Contains(*day)) continue;
        if (people.insert(e->complainant_reference()).second) {
          others.push_back(e);
        }
      }
    }
    if (static_cast<int>(people.size()) >= std::max(1, rule.min_complainants())) {
      result.met = true;
      result.incident = incident;
      result.complainants = static_cast<int>(people.size());
      result.others = std::move(others);
      return result;
    }
  }
  return result;
}

std::string QualifyingText(int qualifying, int incidents) {
  std::string text = qualifying == 0
                         ? "No qualifying complaints"
                         : Plural(qualifying, "qualifying complaint", "qualifying complaints");
  if (qualifying > 0) {
    absl::StrAppend(&text, " about ",
                    incidents == 1 ? "1 incident" : absl::StrCat(incidents, " separate incidents"));
  }
  return text;
}

v1::Notice MakeNotice(v1::Notice::Kind kind, const v1::LedgerEntry& added, std::string reason) {
  v1::Notice notice;
  notice.set_kind(kind);
  notice.set_complainant_reference(added.complainant_reference());
  notice.set_reason(std::move(reason));
  notice.set_complaint(added.complaint());
  return notice;
}

}  // namespace

absl::CivilDay ThresholdWindowStart(const v1::ThresholdPolicy& policy,
                                    absl::CivilDay application_date) {
  return Window(policy, application_date).start();
}

v1::ThresholdEvaluation EvaluateThreshold(const ThresholdInput& input) {
  v1::ThresholdEvaluation out;
  out.set_policy_version(input.policy_version);
  *out.mutable_evaluated_on() = ToCivilDate(input.application_date);
  if (input.policy == nullptr) {
    out.set_met(false);
    out.set_deciding_rule(kRuleNotMet);
    out.set_summary("No threshold policy to evaluate: threshold not met.");
    return out;
  }
  const v1::ThresholdPolicy& policy = *input.policy;
  const Window window(policy, input.application_date);
  *out.mutable_window_start() = ToCivilDate(window.start());

  const std::vector<const v1::LedgerEntry*> applicant = SortedUnique(input.applicant_complaints);
  R1Result r1 = ClassifyR1(window, applicant);
  for (v1::ConsideredComplaint& c : r1.considered) {
    *out.add_considered() = std::move(c);
  }
  const int needed = std::max(1, policy.complaint_count());

  std::string summary = absl::StrCat(
      QualifyingText(r1.qualifying, r1.counted), " reported from ", FormatDay(window.start()),
      " to ", FormatDay(input.application_date), " (policy needs ", policy.complaint_count(), ")");

  // Records that `rule` decided; `clause` ends the summary.
  auto decide = [&](absl::string_view rule, absl::string_view clause) {
    out.set_met(true);
    out.set_deciding_rule(std::string(rule));
    absl::StrAppend(&summary, clause);
    out.set_summary(summary);
  };

  if (r1.counted >= needed) {
    decide(kRuleR1, ": threshold met (R1).");
    return out;
  }

  if (policy.hate_incident_rule()) {
    if (const v1::LedgerEntry* hate = FindR2(window, applicant)) {
      *out.add_considered() = Considered(*hate, "R2", true, "hate incident within the window");
      decide(kRuleR2, absl::StrCat("; hate incident ", hate->complaint(), " on ",
                                   FormatDate(hate->behaviour_date()), ": threshold met (R2)."));
      return out;
    }
    absl::StrAppend(&summary, "; no hate incident");
  }

  if (policy.community().enabled()) {
    CommunityResult community = EvaluateCommunity(window, input);
    if (community.met) {
      for (const v1::LedgerEntry* e : community.counted) {
        if (e->complainant_reference() == input.applicant) continue;
        *out.add_considered() = Considered(*e, "COMMUNITY", true, "counted");
      }
      decide(kRuleCommunity,
             absl::StrCat(
                 "; community rule met (",
                 Plural(static_cast<int64_t>(community.counted.size()), "complaint", "complaints"),
                 " about ", CategoryName(input.category), input.locality.empty() ? "" : " in ",
                 input.locality, " from ",
                 Plural(static_cast<int64_t>(community.complainants.size()), "person", "people"),
                 ", policy needs ", policy.community().complaint_count(), " from ",
                 policy.community().min_complainants(), "): threshold met (COMMUNITY)."));
      return out;
    }
    absl::StrAppend(&summary, "; community rule not met");
  }

  if (policy.same_incident().enabled()) {
    SameIncidentResult same = EvaluateSameIncident(window, input, applicant);
    if (same.met) {
      for (const v1::LedgerEntry* e : same.others) {
        *out.add_considered() = Considered(*e, "SAME_INCIDENT", true, "counted");
      }
      decide(
          kRuleSameIncident,
          absl::StrCat("; ", same.complainants, " people complained about incident ", same.incident,
                       " (policy needs ", policy.same_incident().min_complainants(),
                       "): threshold met (SAME_INCIDENT)."));
      return out;
    }
    absl::StrAppend(&summary, "; same-incident rule not met");
  }

  out.set_met(false);
  out.set_deciding_rule(kRuleNotMet);
  absl::StrAppend(&summary, ": threshold not met.");
  out.set_summary(summary);
  return out;
}

bool CommunityNeedsMore(const ThresholdInput& input, const v1::ThresholdEvaluation& evaluation) {
  const std::string& rule = evaluation.deciding_rule();
  return input.policy != nullptr && input.policy->community().enabled() &&
         input.category != v1::COMPLAINT_CATEGORY_UNSPECIFIED && rule != kRuleR1 &&
         rule != kRuleR2 && rule != kRuleCommunity;
}

bool SameIncidentReached(const ThresholdInput& input, const v1::ThresholdEvaluation& evaluation) {
  const std::string& rule = evaluation.deciding_rule();
  return input.policy != nullptr && input.policy->same_incident().enabled() && rule != kRuleR1 &&
         rule != kRuleR2 && rule != kRuleCommunity;
}

std::vector<v1::Notice> ProactiveNotices(const v1::ThresholdPolicy& policy,
                                         const std::vector<v1::LedgerEntry>& earlier,
                                         const v1::LedgerEntry& added) {
  std::vector<v1::Notice> notices;
  const std::optional<absl::CivilDay> today = ValidDay(added.reported_date());
  if (!today) return notices;
  const Window window(policy, *today);

  std::vector<v1::LedgerEntry> before;
  before.reserve(earlier.size());
  for (const v1::LedgerEntry& e : earlier) {
    if (!added.complaint().empty() && e.complaint() == added.complaint()) continue;
    before.push_back(e);
  }
  std::vector<v1::LedgerEntry> after = before;
  after.push_back(added);
  const std::vector<const v1::LedgerEntry*> before_sorted = SortedUnique(before);
  const std::vector<const v1::LedgerEntry*> after_sorted = SortedUnique(after);
  const int counted_before = ClassifyR1(window, before_sorted).counted;
  const int counted_after = ClassifyR1(window, after_sorted).counted;
  const std::string date = FormatDay(*today);

  if (counted_after == 2 && counted_before == 1) {
    notices.push_back(MakeNotice(
        v1::Notice::EXPLAIN_CASE_REVIEW, added,
        absl::StrCat("2 complaints in the window to ", date, ": explain the case review")));
  }

  const int needed = std::max(1, policy.complaint_count());
  const bool r1_reached = counted_after >= needed && counted_before < needed;
  const bool r2_reached = policy.hate_incident_rule() && window.MeetsR2(added) &&
                          FindR2(window, before_sorted) == nullptr;
  if (r1_reached || r2_reached) {
    std::string reason;
    if (r1_reached) {
      reason = absl::StrCat(Plural(counted_after, "complaint", "complaints"), " in the window to ",
                            date, " (policy needs ", policy.complaint_count(), ")");
    }
    if (r2_reached) {
      absl::StrAppend(&reason, r1_reached ? " and a " : "A ", "hate incident on ",
                      FormatDate(added.behaviour_date()),
                      r1_reached ? "" : absl::StrCat(" in the window to ", date));
    }
    absl::StrAppend(&reason, ": threshold reached (",
                    r1_reached && r2_reached ? "R1, R2"
                    : r1_reached             ? "R1"
                                             : "R2",
                    "), direct the victim to the case review");
    notices.push_back(MakeNotice(v1::Notice::THRESHOLD_REACHED, added, std::move(reason)));
  }
  return notices;
}

bool NoNoticeCanBeRaised(const v1::ThresholdPolicy& policy,
                         const std::vector<v1::LedgerEntry>& some_earlier,
                         const v1::LedgerEntry& added) {
  const std::optional<absl::CivilDay> today = ValidDay(added.reported_date());
  if (!today) return true;  // ProactiveNotices raises nothing either
  const Window window(policy, *today);
  std::vector<v1::LedgerEntry> before;
  before.reserve(some_earlier.size());
  for (const v1::LedgerEntry& e : some_earlier) {
    if (!added.complaint().empty() && e.complaint() == added.complaint()) continue;
    before.push_back(e);
  }
  const std::vector<const v1::LedgerEntry*> sorted = SortedUnique(before);
  const int needed = std::max({1, policy.complaint_count(), 2});
  if (ClassifyR1(window, sorted).counted < needed) return false;
  return !policy.hate_incident_rule() || !window.MeetsR2(added) ||
         FindR2(window, sorted) != nullptr;
}

}  // namespace casework::workflow::case_review
