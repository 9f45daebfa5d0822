#include "kms/api/api.h"

#include <algorithm>
#include <chrono>

#include "crypto/hex.h"
#include "crypto/random.h"
#include "kms/api/render.h"

namespace keyhold::kms {
namespace {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "application/json", optionally with parameters ("; charset=utf-8").
bool IsJson(std::string_view content_type) {
  const std::string_view mime = content_type.substr(0, content_type.find(';'));
  std::string lower;
  for (char c : mime) {
    if (c != ' ' && c != '\t') {
      lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
  }
  return lower == "application/json";
}

bool CountsAsFailure(ErrorCode code) {
  return code == ErrorCode::kUnauthenticated || code == ErrorCode::kUnsealFailed ||
         code == ErrorCode::kInvalidShare;
}

bool IsHealthProbe(RouteId id) {
  return id == RouteId::kSysHealth || id == RouteId::kHealthLive || id == RouteId::kHealthReady ||
         id == RouteId::kMetrics || id == RouteId::kSysSealStatus;
}

}  // namespace

Api::Api(KeyService* service, const Config* config, Logger* logger, Metrics* metrics,
         const Clock* clock, AuditLog* audit, PolicyStore* policies)
    : service_(service),
      config_(config),
      logger_(logger),
      metrics_(metrics),
      clock_(clock),
      audit_(audit),
      handlers_(service, config, metrics, clock, audit, policies),
      xks_(service, config, logger, metrics, clock, policies),
      limiter_(config->auth_failures_per_minute) {}

std::string Api::NewRequestId() {
  std::uint8_t raw[16];
  if (!crypto::FillNonce(raw).ok()) {
    return "00000000000000000000000000000000";
  }
  return crypto::HexEncode(raw);
}

Result<Principal> Api::Authenticate(const ApiRequest& request) {
  if (!request.authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (request.authorization.substr(0, kBearer.size()) != kBearer) {
      return MakeError(ErrorCode::kUnauthenticated, "use 'Authorization: Bearer TOKEN'");
    }
    KEYHOLD_ASSIGN_OR_RETURN(auto tokens, service_->tokens());
    const std::string_view token = request.authorization.substr(kBearer.size());
    return tokens->Authenticate(
        {reinterpret_cast<const std::uint8_t*>(token.data()), token.size()});
  }
  if (request.client_identity) {
    for (const ClientCertBinding& b : config_->client_certs) {
      if (b.identity == *request.client_identity) {
        return Principal{b.identity, b.tenant, b.roles, "mtls", ""};
      }
    }
    return MakeError(ErrorCode::kForbidden,
                     "the client certificate is valid but not bound to a tenant and roles");
  }
  return MakeError(ErrorCode::kUnauthenticated);
}

Result<Reply> Api::Dispatch(const ApiRequest& request, const RouteMatch& route,
                            std::optional<Principal>* principal, AuditFacts* facts) {
  const std::string_view target = request.target;
  const std::size_t q = target.find('?');
  KEYHOLD_ASSIGN_OR_RETURN(
      auto query,
      ParseQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1)));
  if (route.has_body && !request.body.empty() && !IsJson(request.content_type)) {
    return MakeError(ErrorCode::kUnsupportedMediaType);
  }
  if (route.access != Access::kPublic) {
    // Credentials and keys both live in the sealed store.
    const SealStatus status = service_->seal_status();
    if (!status.initialized) {
      return MakeError(ErrorCode::kNotInitialized);
    }
    if (status.sealed) {
      return MakeError(ErrorCode::kSealed);
    }
    KEYHOLD_ASSIGN_OR_RETURN(Principal who, Authenticate(request));
    *principal = std::move(who);
  }
  std::optional<SecureJson> body;
  if (route.has_body) {
    // An empty body means {} (actions such as rotate need none).
    if (request.body.empty()) {
      body = SecureJson::object();
    } else {
      KEYHOLD_ASSIGN_OR_RETURN(body, ParseJsonObject(request.body));
    }
  }
  // Sealing is exempt: it is the safe direction, and an operator must be
  // able to take the keys out of memory during an audit outage.
  if (audit_ != nullptr && !IsHealthProbe(route.id) && route.id != RouteId::kSysSeal &&
      !audit_->healthy()) {
    // The last audit batch failed: act on nothing until one succeeds (this
    // request's own record is still tried, which is how the log recovers).
    return MakeError(ErrorCode::kAuditUnavailable);
  }
  // An init of an initialised store changes nothing and needs no intent:
  // unauthenticated callers must not be able to make the server sync.
  // A call that carries a grant may spend one of its uses: a change too.
  const bool can_change = (route.changes_state && (route.id != RouteId::kSysInit ||
                                                   !service_->seal_status().initialized)) ||
                          (!request.grant.empty() && principal->has_value());
  if (audit_ != nullptr && can_change) {
    // The outcome record is written after the change; if it then fails the
    // change stands, so the intent is made durable first.
    AuditEvent intent = MakeAuditEvent(request, route.name, *principal ? &**principal : nullptr, 0,
                                       nullptr, 0, &route, nullptr);
    if (route.id == RouteId::kKeysCreate && body && body->contains("tenant") &&
        body->contains("name") && (*body)["tenant"].is_string() && (*body)["name"].is_string()) {
      // The key to be created is named in the body; the handler checks it.
      const auto& t = (*body)["tenant"].get_ref<const SecureJson::string_t&>();
      const auto& n = (*body)["name"].get_ref<const SecureJson::string_t&>();
      if (auto id = crypto::KeyId::Create({t.data(), t.size()}, {n.data(), n.size()}); id.ok()) {
        intent.key = id->ToString();
      }
    }
    intent.type = "intent";
    intent.decision = "pending";
    intent.reason = "about to act";
    KEYHOLD_TRY(audit_->Append(std::move(intent)));
  }
  const Call call{route,
                  query,
                  body ? &*body : nullptr,
                  *principal ? &**principal : nullptr,
                  facts,
                  request.peer,
                  request.body,
                  request.grant};
  switch (route.id) {
    case RouteId::kKeysCreate:
    case RouteId::kKeysList:
    case RouteId::kKeyShow:
    case RouteId::kKeyRotate:
    case RouteId::kKeyEnable:
    case RouteId::kKeyDisable:
    case RouteId::kKeyConfig:
    case RouteId::kKeyScheduleDeletion:
    case RouteId::kKeyCancelDeletion:
    case RouteId::kKeyWrap:
    case RouteId::kKeyUnwrap:
    case RouteId::kKeyRewrap:
    case RouteId::kKeyGenerateDataKey:
    case RouteId::kKeyImportParams:
    case RouteId::kKeyImport:
    case RouteId::kKeyExport:
      return handlers_.Keys(call);
    case RouteId::kTokensCreate:
    case RouteId::kTokensList:
    case RouteId::kTokenRevoke:
      return handlers_.Tokens(call);
    case RouteId::kAuditRead:
      return handlers_.Audit(call);
    case RouteId::kPoliciesList:
    case RouteId::kPolicyShow:
    case RouteId::kPolicyPut:
      return handlers_.Policies(call);
    case RouteId::kRequestsCreate:
    case RouteId::kRequestsList:
    case RouteId::kRequestShow:
    case RouteId::kRequestApprove:
    case RouteId::kRequestDeny:
      return handlers_.Requests(call);
    case RouteId::kOfficersList:
    case RouteId::kOfficerEnrol:
    case RouteId::kOfficerRemove:
      return handlers_.Officers(call);
    case RouteId::kXksCredentialsCreate:
    case RouteId::kXksCredentialsList:
    case RouteId::kXksCredentialRevoke:
      return handlers_.XksCredentials(call);
    default:
      if (route.id == RouteId::kSysSeal) {
        KEYHOLD_TRY(Authorize(route.access, **principal, "*"));
      }
      return handlers_.Sys(call);
  }
}

ApiResponse Api::Handle(const ApiRequest& request) {
  const std::int64_t started = NowMicros();
  const std::size_t q = request.target.find('?');
  const std::string_view path = request.target.substr(0, q);
  if (XksApi::Owns(path)) {
    return xks_.Handle(request);  // AWS KMS's own API, credentials and errors
  }
  std::string allow;
  auto route = MatchRoute(request.method, path, &allow);
  const std::string_view route_name = route.ok() ? route->name : "unmatched";

  // An address over its failure budget is refused every request that does
  // not prove a credential. A request that does is still served: a sidecar
  // sees every application on its host as one address, and one client with a
  // stale token must not lock the others out. Guessing gains nothing from
  // this, since a guess is still checked and refused.
  std::int64_t retry_after = 0;
  const bool blocked = (!route.ok() || !IsHealthProbe(route->id)) &&
                       limiter_.Blocked(request.peer, clock_->NowSeconds() * 1000, &retry_after);
  const auto rate_limited = [&] {
    ApiResponse r =
        Finish(request, route_name, nullptr, MakeError(ErrorCode::kRateLimited), started, "");
    r.retry_after = std::to_string(retry_after);
    return r;
  };
  if (blocked && (!route.ok() || route->access == Access::kPublic)) {
    return rate_limited();
  }
  if (!route.ok()) {
    return Finish(request, route_name, nullptr, route.error(), started, allow);
  }
  std::optional<Principal> principal;
  AuditFacts facts;
  Result<Reply> reply = Dispatch(request, *route, &principal, &facts);
  if (!reply.ok() && CountsAsFailure(reply.error().code)) {
    if (blocked) {
      return rate_limited();
    }
    limiter_.RecordFailure(request.peer, clock_->NowSeconds() * 1000);
  }
  const bool ok = reply.ok();
  ApiResponse response = Finish(request, route_name, principal ? &*principal : nullptr,
                                std::move(reply), started, "", &*route, &facts);
  if (ok && facts.undo && audit_ != nullptr && response.audit) {
    // The answer is the only copy of what the call made: its record is
    // written here, and if that fails the call is undone before the 503.
    Status durable = audit_->Append(*response.audit);
    response.audit.reset();
    if (!durable.ok()) {
      if (Status undone = facts.undo(); !undone.ok()) {
        logger_->Log(LogLevel::kError, "cannot undo a call whose audit record failed",
                     {{"request_id", request.request_id}, {"error", undone.error().message}});
      }
      return AuditFailed(response, durable.error(), request.request_id);
    }
  }
  return response;
}

ApiResponse Api::Reject(const Error& error, std::string_view method, std::string_view target,
                        const std::string& peer, const std::string& request_id) {
  ApiRequest request;
  request.method = method;
  request.target = target;
  request.peer = peer;
  request.request_id = request_id;
  if (XksApi::Owns(target.substr(0, target.find('?')))) {
    ApiResponse response = XksApi::Reject(error);
    // Logged, counted and audited like any other refusal.
    response.audit = Finish(request, "xks unmatched", nullptr, error, NowMicros(), "").audit;
    return response;
  }
  return Finish(request, "unmatched", nullptr, error, NowMicros(), "");
}

ApiResponse Api::Finish(const ApiRequest& request, std::string_view route, const Principal* who,
                        Result<Reply> reply, std::int64_t started_us, std::string allow,
                        const RouteMatch* match, const AuditFacts* facts) {
  ApiResponse response;
  if (reply.ok()) {
    response.status = reply->status;
    if (!reply->text.empty()) {
      response.content_type = "text/plain; version=0.0.4";
      response.body.assign(reply->text.begin(), reply->text.end());
    } else {
      response.body = Dump(reply->body);
    }
  } else {
    const Error& e = reply.error();
    response.status = Info(e.code).http_status;
    response.body = Dump(RenderError(e, request.request_id));
    response.allow = std::move(allow);
    if (e.code == ErrorCode::kSealed || e.code == ErrorCode::kEncryptionLimitReached) {
      response.retry_after = "5";
    }
  }
  const std::int64_t duration = NowMicros() - started_us;
  if (match == nullptr || !IsHealthProbe(match->id)) {
    response.audit = MakeAuditEvent(request, route, who, response.status,
                                    reply.ok() ? nullptr : &reply.error(), duration, match, facts);
  }
  metrics_->ObserveRequest(route, response.status, static_cast<double>(duration) / 1e6);
  const LogLevel level = response.status >= 500 ? LogLevel::kWarn : LogLevel::kInfo;
  if (logger_->Enabled(level)) {
    const std::string_view path = request.target.substr(0, request.target.find('?'));
    logger_->Log(level, "request",
                 {{"request_id", request.request_id},
                  {"principal", who != nullptr ? std::string_view(who->name) : "-"},
                  {"peer", request.peer},
                  {"method", request.method.substr(0, 16)},
                  {"route", route},
                  {"path", path.substr(0, 256)},
                  {"status", static_cast<std::int64_t>(response.status)},
                  {"error", reply.ok() ? std::string_view("")
                                       : std::string_view(Info(reply.error().code).name)},
                  {"duration_us", duration}});
  }
  return response;
}

AuditEvent Api::MakeAuditEvent(const ApiRequest& request, std::string_view route,
                               const Principal* who, int status, const Error* error,
                               std::int64_t duration_us, const RouteMatch* match,
                               const AuditFacts* facts) const {
  AuditEvent e;
  e.time_us = clock_->NowMicros() - duration_us;
  e.request_id = request.request_id;
  e.source = request.peer;
  // The method is bounded; an unmatched path is not recorded (it is
  // attacker text and names nothing Keyhold holds).
  e.operation = std::string(request.method.substr(0, 16)) + " " + std::string(route);
  if (who != nullptr) {
    e.principal = who->name;
    e.auth = who->auth == "token" ? "token:" + who->accessor : who->auth;
  }
  if (match != nullptr && match->key) {
    e.key = match->key->ToString();
  }
  if (facts != nullptr) {
    if (e.key.empty()) {
      e.key = facts->key;
    }
    e.key_version = facts->key_version;
    if (facts->context) {
      if (audit_ != nullptr) {
        e.context_digest = audit_->ContextDigest(*facts->context);
      }
      const std::string tenant = e.key.substr(0, e.key.find('/'));
      const auto& clear = config_->audit_clear_context_tenants;
      if (!tenant.empty() && std::find(clear.begin(), clear.end(), tenant) != clear.end()) {
        e.context.emplace(facts->context->entries().begin(), facts->context->entries().end());
      }
    }
    e.policy = facts->policy;
    e.access_request = facts->access_request;
    e.approval = facts->approval;
    e.officer_key = facts->officer_key;
    if (facts->justification) {
      e.justification_code = facts->justification->reason_code;
      e.justification_text = facts->justification->text;
    }
  }
  e.status = status;
  e.latency_us = duration_us;
  if (error == nullptr) {
    e.decision = "allow";
    e.reason = "ok";
  } else {
    e.decision =
        (error->code == ErrorCode::kUnauthenticated || error->code == ErrorCode::kForbidden ||
         error->code == ErrorCode::kRateLimited || error->code == ErrorCode::kPolicyDenied ||
         error->code == ErrorCode::kApprovalRequired ||
         error->code == ErrorCode::kResidencyViolation ||
         error->code == ErrorCode::kApprovalRefused ||
         error->code == ErrorCode::kInvalidSignature || error->code == ErrorCode::kRequestClosed)
            ? "deny"
            : "error";
    e.reason = std::string(Info(error->code).name);
  }
  return e;
}

ApiResponse Api::AuditFailed(const ApiResponse& original, const Error& error,
                             const std::string& request_id) {
  ApiResponse response;
  response.status = Info(error.code).http_status;
  response.body = original.xks
                      ? XksApi::Reject(MakeError(ErrorCode::kAuditUnavailable)).body
                      : Dump(RenderError(MakeError(ErrorCode::kAuditUnavailable), request_id));
  if (original.xks) {
    response.status = 500;  // InternalException: the spec has no 503 for this
  }
  logger_->Log(LogLevel::kError, "audit record not durable; the answer was withheld",
               {{"request_id", request_id},
                {"status_withheld", static_cast<std::int64_t>(original.status)},
                {"error", error.message}});
  metrics_->ObserveRequest("audit_unavailable", response.status, 0);
  return response;
}

}  // namespace keyhold::kms
