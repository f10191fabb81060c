// Exporting and importing a partnership (storage/transfer.h).
//
// The file: a magic line, the export's id (16 random bytes), then items,
// each a 4-byte big-endian length and a casework.internal.TransferItem
// sealed with the transfer key, its additional data the export's id and the
// item's index. The first item is the header, the last the trailer.
#include "storage/transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/internal/transfer.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "storage/keys.h"
#include "storage/rebuild.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::storage {
namespace {

constexpr absl::string_view kMagic = "casework partnership export 1\n";
constexpr size_t kIdBytes = 16;
// An item larger than this is not one this build wrote.
constexpr uint32_t kMaxItemBytes = 64 << 20;
// The audit log's sequence (services/audit_log.cc): global to a directory.
constexpr absl::string_view kAuditSequence = "audit-entries";
constexpr int kRowPage = 1000;

absl::Status Damaged(const std::string& file, absl::string_view why) {
  return ErrorWithReason(absl::StatusCode::kDataLoss, "TRANSFER_FILE_DAMAGED",
                         absl::StrCat(file, ": ", why));
}

std::string PartnershipPrefix(absl::string_view partnership) {
  return absl::StrCat("partnerships/", partnership, "/");
}

std::string ItemAad(absl::string_view export_id, uint64_t index) {
  std::string aad(export_id);
  keys::PutBE64(&aad, index);
  return aad;
}

// Writes items to a temporary file beside `file`, renamed to it once whole
// and synced.
class Writer {
 public:
  Writer(const privacy::Key256& key, std::string file) : key_(key), file_(std::move(file)) {}
  ~Writer() {
    if (fd_ >= 0) ::close(fd_);
    if (!done_ && !temp_.empty()) ::unlink(temp_.c_str());
  }

  absl::Status Open() {
    std::error_code error;
    if (std::filesystem::exists(file_, error)) {
      return absl::AlreadyExistsError(
          absl::StrCat(file_, " exists: an export never overwrites a file"));
    }
    temp_ = absl::StrCat(file_, ".partial");
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      const std::string cause = std::strerror(errno);
      temp_.clear();
      return absl::UnavailableError(absl::StrCat("cannot create ", file_, ".partial: ", cause));
    }
    const privacy::Key256 id = privacy::Key256::Random();
    id_ = std::string(id.view().substr(0, kIdBytes));
    return Put(absl::StrCat(kMagic, id_));
  }

  absl::Status Add(const internal::TransferItem& item) {
    const std::string sealed =
        privacy::Seal(key_, item.SerializeAsString(), ItemAad(id_, index_++));
    std::string framed;
    framed.reserve(4 + sealed.size());
    const uint32_t n = static_cast<uint32_t>(sealed.size());
    for (int shift = 24; shift >= 0; shift -= 8) framed.push_back(static_cast<char>(n >> shift));
    framed += sealed;
    return Put(framed);
  }

  // Writes what is buffered, syncs, and gives the file its name.
  absl::Status Finish() {
    RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return absl::UnavailableError(absl::StrCat("cannot sync ", temp_, ": ", std::strerror(errno)));
    }
    fd_ = -1;
    if (std::rename(temp_.c_str(), file_.c_str()) != 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot rename ", temp_, " to ", file_, ": ", std::strerror(errno)));
    }
    done_ = true;
    return absl::OkStatus();
  }

 private:
  absl::Status Put(absl::string_view bytes) {
    buffer_.append(bytes.data(), bytes.size());
    if (buffer_.size() < (1 << 20)) return absl::OkStatus();
    return Flush();
  }

  absl::Status Flush() {
    size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        return absl::UnavailableError(
            absl::StrCat("cannot write ", temp_, ": ", std::strerror(errno)));
      }
      written += static_cast<size_t>(n);
    }
    buffer_.clear();
    return absl::OkStatus();
  }

  const privacy::Key256& key_;
  const std::string file_;
  std::string temp_;
  int fd_ = -1;
  bool done_ = false;
  std::string id_;
  uint64_t index_ = 0;
  std::string buffer_;
};

// Reads and opens the items of an export, header first, checking that the
// trailer ends it and counts what came before.
class Reader {
 public:
  Reader(const privacy::Key256& key, std::string file) : key_(key), file_(std::move(file)) {}

  absl::Status Open() {
    in_.open(file_, std::ios::binary);
    if (!in_) return absl::NotFoundError(absl::StrCat("cannot read ", file_));
    std::string head(kMagic.size() + kIdBytes, '\0');
    if (!in_.read(head.data(), static_cast<std::streamsize>(head.size())) ||
        !absl::StartsWith(head, kMagic)) {
      return Damaged(file_, "not a casework partnership export");
    }
    id_ = head.substr(kMagic.size());
    ASSIGN_OR_RETURN(std::optional<internal::TransferItem> first, Next());
    if (!first.has_value() || !first->has_header()) return Damaged(file_, "no header");
    header_ = first->header();
    return absl::OkStatus();
  }

  const internal::TransferHeader& header() const { return header_; }

  // The next item before the trailer, or nullopt once the trailer (checked)
  // was read and nothing follows it.
  absl::StatusOr<std::optional<internal::TransferItem>> NextBody() {
    ASSIGN_OR_RETURN(std::optional<internal::TransferItem> item, Next());
    if (!item.has_value()) return Damaged(file_, "it ends before its trailer (cut short)");
    if (item->has_header()) return Damaged(file_, "a second header");
    if (!item->has_trailer()) {
      switch (item->item_case()) {
        case internal::TransferItem::kEvent: ++seen_.events; break;
        case internal::TransferItem::kSequence: ++seen_.sequences; break;
        case internal::TransferItem::kRequest: ++seen_.requests; break;
        case internal::TransferItem::kRow: ++seen_.rows; break;
        default: return Damaged(file_, "an item of a kind this build does not know");
      }
      return item;
    }
    const internal::TransferTrailer& t = item->trailer();
    if (t.events() != seen_.events || t.sequences() != seen_.sequences ||
        t.requests() != seen_.requests || t.rows() != seen_.rows) {
      return Damaged(file_, "its trailer does not count what it holds");
    }
    if (in_.peek() != std::ifstream::traits_type::eof()) {
      return Damaged(file_, "bytes after its trailer");
    }
    return std::optional<internal::TransferItem>();
  }

 private:
  absl::StatusOr<std::optional<internal::TransferItem>> Next() {
    unsigned char length[4];
    if (!in_.read(reinterpret_cast<char*>(length), 4)) {
      if (in_.gcount() == 0) return std::optional<internal::TransferItem>();
      return Damaged(file_, "cut short in an item's length");
    }
    const uint32_t n = (uint32_t{length[0]} << 24) | (uint32_t{length[1]} << 16) |
                       (uint32_t{length[2]} << 8) | uint32_t{length[3]};
    if (n > kMaxItemBytes) return Damaged(file_, "an item longer than any export writes");
    std::string sealed(n, '\0');
    if (!in_.read(sealed.data(), n)) return Damaged(file_, "cut short in an item");
    absl::StatusOr<std::string> opened = privacy::Open(key_, sealed, ItemAad(id_, index_));
    if (!opened.ok()) {
      return Damaged(file_, absl::StrCat("item ", index_,
                                         " does not open with this transfer key (another key, "
                                         "or the file was changed or reordered)"));
    }
    ++index_;
    internal::TransferItem item;
    if (!item.ParseFromString(*opened)) {
      return Damaged(file_, absl::StrCat("item ", index_ - 1, " is unreadable"));
    }
    return std::optional<internal::TransferItem>(std::move(item));
  }

  const privacy::Key256& key_;
  const std::string file_;
  std::ifstream in_;
  std::string id_;
  uint64_t index_ = 0;
  internal::TransferHeader header_;
  // What came so far, for the trailer's counts.
  struct {
    uint64_t events = 0;
    uint64_t sequences = 0;
    uint64_t requests = 0;
    uint64_t rows = 0;
  } seen_;
};

google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
}

absl::Duration Since(std::chrono::steady_clock::time_point started) {
  return absl::FromChrono(std::chrono::steady_clock::now() - started);
}

}  // namespace

absl::StatusOr<TransferReport> ExportPartnership(const EventStore& store,
                                                 absl::string_view partnership,
                                                 const privacy::Key256& transfer_key,
                                                 const std::string& file) {
  const auto started = std::chrono::steady_clock::now();
  const std::string prefix = PartnershipPrefix(partnership);
  TransferReport report;
  report.partnership = std::string(partnership);
  report.source_head = store.LastPosition();

  Writer out(transfer_key, file);
  RETURN_IF_ERROR(out.Open());
  internal::TransferItem item;
  internal::TransferHeader* header = item.mutable_header();
  header->set_partnership(std::string(partnership));
  header->set_source_last_position(report.source_head);
  *header->mutable_export_time() = Now();
  RETURN_IF_ERROR(out.Add(item));

  // Events, in global order; only the partnership's own are opened.
  std::set<std::string> streams;
  absl::Status failed;
  RETURN_IF_ERROR(store.ScanLogReadingAhead(1, [&](const v1::EventEnvelope& event) {
    if (!absl::StartsWith(event.stream(), prefix)) return true;
    internal::TransferItem e;
    *e.mutable_event() = event;
    if (privacy::Sealer* sealer = store.sealer()) {
      failed = sealer->Open(e.mutable_event());
      if (!failed.ok()) return false;
    }
    failed = out.Add(e);
    if (!failed.ok()) return false;
    if (report.source_first_position == 0) report.source_first_position = event.global_position();
    report.source_last_position = event.global_position();
    ++report.events;
    streams.insert(event.stream());
    return true;
  }, /*open=*/false));
  RETURN_IF_ERROR(failed);
  if (report.events == 0) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "PARTNERSHIP_NOT_FOUND",
                           absl::StrCat("this data directory holds nothing of partnership ",
                                        partnership, ": nothing was exported"));
  }
  report.streams = streams.size();

  // Sequences: the partnership's, and the audit log's (its ids go on).
  ASSIGN_OR_RETURN(auto sequences, store.ScanSequences(prefix));
  ASSIGN_OR_RETURN(int64_t audit_ids, store.GetSequence(kAuditSequence));
  sequences.emplace_back(std::string(kAuditSequence), audit_ids);
  for (const auto& [name, value] : sequences) {
    internal::TransferItem s;
    s.mutable_sequence()->set_name(name);
    s.mutable_sequence()->set_value(value);
    RETURN_IF_ERROR(out.Add(s));
    ++report.sequences;
  }

  // Idempotency records of commands on its streams.
  RETURN_IF_ERROR(store.ScanRequests([&](absl::string_view key,
                                         const internal::RequestRecord& record) {
    if (!absl::StartsWith(record.stream(), prefix)) return true;
    internal::TransferItem r;
    r.mutable_request()->set_key(std::string(key));
    *r.mutable_request()->mutable_record() = record;
    failed = out.Add(r);
    if (!failed.ok()) return false;
    ++report.requests;
    return true;
  }));
  RETURN_IF_ERROR(failed);

  // Its audit log.
  const std::string audit = absl::StrCat("audit/", partnership, "/");
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<StoredRow> rows, store.ScanRows(audit, after, kRowPage));
    for (StoredRow& row : rows) {
      internal::TransferItem r;
      r.mutable_row()->set_key(row.key);
      r.mutable_row()->set_value(std::move(row.value));
      RETURN_IF_ERROR(out.Add(r));
      ++report.rows;
    }
    if (static_cast<int>(rows.size()) < kRowPage) break;
    after = rows.back().key;
  }

  internal::TransferItem trailer;
  trailer.mutable_trailer()->set_events(report.events);
  trailer.mutable_trailer()->set_sequences(report.sequences);
  trailer.mutable_trailer()->set_requests(report.requests);
  trailer.mutable_trailer()->set_rows(report.rows);
  RETURN_IF_ERROR(out.Add(trailer));
  RETURN_IF_ERROR(out.Finish());
  report.took = Since(started);
  return report;
}

absl::StatusOr<TransferReport> ImportPartnership(EventStore& store,
                                                 absl::string_view partnership,
                                                 const privacy::Key256& transfer_key,
                                                 const std::string& file,
                                                 const absl::TimeZone& time_zone,
                                                 const workflow::Registry& registry) {
  const auto started = std::chrono::steady_clock::now();
  Reader in(transfer_key, file);
  RETURN_IF_ERROR(in.Open());
  TransferReport report;
  report.partnership = in.header().partnership();
  if (report.partnership != partnership) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "TRANSFER_WRONG_PARTNERSHIP",
                           absl::StrCat(file, " holds partnership ", report.partnership, ", not ",
                                        partnership, ": nothing was imported"));
  }
  report.source_head = in.header().source_last_position();
  const std::string prefix = PartnershipPrefix(report.partnership);
  auto already_here = [&](absl::string_view what) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, "PARTNERSHIP_ALREADY_HERE",
        absl::StrCat("this data directory already holds ", what, " of partnership ",
                     report.partnership, ": an import adds a partnership a directory does not "
                     "hold; nothing was imported"));
  };
  ASSIGN_OR_RETURN(auto here, store.ScanSequences(prefix));
  if (!here.empty()) return already_here(absl::StrCat("sequence ", here.front().first));

  StoreBatch batch = store.NewBatch();
  privacy::Sealer* sealer = store.sealer();
  uint64_t next = store.LastPosition() + 1;
  report.first_position = next;
  // Source position -> position here, for the request records.
  absl::flat_hash_map<uint64_t, uint64_t> moved;
  std::set<std::string> streams;
  std::set<std::string> uses;
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<internal::TransferItem> item, in.NextBody());
    if (!item.has_value()) break;
    switch (item->item_case()) {
      case internal::TransferItem::kEvent: {
        v1::EventEnvelope& event = *item->mutable_event();
        if (!absl::StartsWith(event.stream(), prefix)) {
          return Damaged(file, absl::StrCat("an event of ", event.stream(), " in an export of ",
                                            report.partnership));
        }
        if (streams.insert(event.stream()).second) {
          ASSIGN_OR_RETURN(int64_t version, store.StreamVersion(event.stream()));
          if (version > 0) return already_here(event.stream());
        }
        if (report.source_first_position == 0) {
          report.source_first_position = event.global_position();
        }
        report.source_last_position = event.global_position();
        moved[event.global_position()] = next;
        event.set_global_position(next++);
        if (sealer != nullptr) {
          std::vector<std::string> key_ids;
          RETURN_IF_ERROR(sealer->Seal(event.stream(), &event, &key_ids));
          for (const std::string& id : key_ids) {
            uses.insert(keys::PrivacyUseKey(id, event.stream()));
          }
        }
        batch.PutEvent(event);
        ++report.events;
        break;
      }
      case internal::TransferItem::kSequence: {
        const internal::TransferSequence& s = item->sequence();
        if (s.name() == kAuditSequence) {
          ASSIGN_OR_RETURN(int64_t mine, store.GetSequence(kAuditSequence));
          if (s.value() > mine) batch.PutSequence(s.name(), s.value());
        } else if (absl::StartsWith(s.name(), prefix)) {
          batch.PutSequence(s.name(), s.value());
        } else {
          return Damaged(file, absl::StrCat("sequence ", s.name(), " in an export of ",
                                            report.partnership));
        }
        ++report.sequences;
        break;
      }
      case internal::TransferItem::kRequest: {
        internal::TransferRequest& r = *item->mutable_request();
        ASSIGN_OR_RETURN(std::optional<internal::RequestRecord> mine, store.GetRequest(r.key()));
        if (mine.has_value()) {
          ++report.requests_conflicting;
          break;
        }
        internal::RequestRecord& record = *r.mutable_record();
        for (auto [get, set] :
             {std::pair{&internal::RequestRecord::first_position,
                        &internal::RequestRecord::set_first_position},
              std::pair{&internal::RequestRecord::last_position,
                        &internal::RequestRecord::set_last_position}}) {
          const uint64_t position = (record.*get)();
          if (position == 0) continue;  // the command wrote no event
          auto to = moved.find(position);
          if (to == moved.end()) {
            return Damaged(file, absl::StrCat("request record ", r.key(),
                                              " names an event the export does not hold"));
          }
          (record.*set)(to->second);
        }
        batch.PutRequest(r.key(), record);
        ++report.requests;
        break;
      }
      case internal::TransferItem::kRow: {
        const internal::TransferRow& row = item->row();
        if (!absl::StartsWith(row.key(), absl::StrCat("audit/", report.partnership, "/"))) {
          return Damaged(file, absl::StrCat("row ", row.key(), " in an export of ",
                                            report.partnership));
        }
        batch.PutRow(row.key(), row.value());
        ++report.rows;
        break;
      }
      default:
        return Damaged(file, "an item of a kind this build does not know");
    }
  }
  if (report.events == 0) return Damaged(file, "it holds no event");
  for (const std::string& use : uses) batch.PutRow(use, "");
  report.streams = streams.size();
  report.last_position = next - 1;

  // The keys the sealed fields need are on disk before the fields are.
  if (sealer != nullptr) RETURN_IF_ERROR(sealer->keys().Persist());
  // Derived data is rebuilt next: until it is, the directory says it must
  // be (a start rebuilds it, should this process stop in between).
  RETURN_IF_ERROR(MarkDerivedStale(store));
  RETURN_IF_ERROR(store.Write(batch));
  RETURN_IF_ERROR(RebuildDerived(store, time_zone, registry));  // records the format

  // The rebuild was a fold of the whole log; what is left to check is that
  // the log holds what the file does.
  RETURN_IF_ERROR(VerifyImport(store, transfer_key, file).status());
  report.took = Since(started);
  return report;
}

absl::StatusOr<TransferReport> VerifyImport(const EventStore& store,
                                            const privacy::Key256& transfer_key,
                                            const std::string& file) {
  const auto started = std::chrono::steady_clock::now();
  Reader in(transfer_key, file);
  RETURN_IF_ERROR(in.Open());
  TransferReport report;
  report.partnership = in.header().partnership();
  report.source_head = in.header().source_last_position();
  absl::flat_hash_map<uint64_t, uint64_t> moved;
  std::set<std::string> streams;
  auto differs = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("the import of ", report.partnership,
                                            " differs from ", file, ": ", what));
  };
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<internal::TransferItem> item, in.NextBody());
    if (!item.has_value()) break;
    switch (item->item_case()) {
      case internal::TransferItem::kEvent: {
        v1::EventEnvelope& exported = *item->mutable_event();
        ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> here,
                         store.ReadStream(exported.stream(), exported.stream_version(), 1));
        const std::string at = absl::StrCat(exported.stream(), " version ",
                                            exported.stream_version());
        if (here.empty()) return differs(absl::StrCat(at, " is missing"));
        const uint64_t position = here.front().global_position();
        if (report.last_position != 0 && position != report.last_position + 1) {
          return differs(absl::StrCat(at, " is at position ", position, ", not ",
                                      report.last_position + 1));
        }
        if (report.first_position == 0) report.first_position = position;
        report.last_position = position;
        moved[exported.global_position()] = position;
        here.front().clear_global_position();
        exported.clear_global_position();
        if (!google::protobuf::util::MessageDifferencer::Equals(here.front(), exported)) {
          return differs(absl::StrCat(at, " is not the event exported"));
        }
        streams.insert(exported.stream());
        ++report.events;
        break;
      }
      case internal::TransferItem::kSequence: {
        const internal::TransferSequence& s = item->sequence();
        ASSIGN_OR_RETURN(int64_t value, store.GetSequence(s.name()));
        if (value < s.value()) {
          return differs(absl::StrCat("sequence ", s.name(), " is at ", value, ", not ",
                                      s.value()));
        }
        ++report.sequences;
        break;
      }
      case internal::TransferItem::kRequest: {
        const internal::TransferRequest& r = item->request();
        ASSIGN_OR_RETURN(std::optional<internal::RequestRecord> here, store.GetRequest(r.key()));
        if (!here.has_value()) return differs(absl::StrCat("request record ", r.key(), " is missing"));
        internal::RequestRecord expected = r.record();
        if (expected.first_position() != 0) {
          expected.set_first_position(moved[expected.first_position()]);
          expected.set_last_position(moved[expected.last_position()]);
        }
        if (!google::protobuf::util::MessageDifferencer::Equals(*here, expected)) {
          ++report.requests_conflicting;  // the directory's own record under that key
        } else {
          ++report.requests;
        }
        break;
      }
      case internal::TransferItem::kRow: {
        const internal::TransferRow& row = item->row();
        ASSIGN_OR_RETURN(std::optional<std::string> here, store.GetRow(row.key()));
        if (!here.has_value() || *here != row.value()) {
          return differs(absl::StrCat("audit row ", row.key(), " is missing or changed"));
        }
        ++report.rows;
        break;
      }
      default:
        return Damaged(file, "an item of a kind this build does not know");
    }
  }
  report.streams = streams.size();
  report.took = Since(started);
  return report;
}

}  // namespace casework::storage
