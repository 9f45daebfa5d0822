// Tests for kms/metrics.h: ObserveRequest counts requests by route and
// status and feeds the latency histogram; CountRotation counts by reason;
// Render reads the service's state now (sealed/initialised gauges, the key
// count only while unsealed, per-version encryption counts); and the whole
// output is well-formed Prometheus text: each sample line is
// "name{labels} value" or "name value" of a family declared by # HELP and
// # TYPE.
#include "kms/metrics.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::Bytes;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

bool HasLine(const std::string& text, const std::string& line) {
  for (const std::string& l : Lines(text)) {
    if (l == line) {
      return true;
    }
  }
  return false;
}

bool HasMetric(const std::string& text, const std::string& name) {
  for (const std::string& l : Lines(text)) {
    if (l.starts_with(name + " ") || l.starts_with(name + "{") ||
        l.starts_with("# TYPE " + name + " ")) {
      return true;
    }
  }
  return false;
}

// ExpositionProblem checks the Prometheus text format (version 0.0.4) and
// returns the first problem, or "" if there is none: every line is a
// # HELP, a # TYPE, or a sample of a family declared before it, with
// well-formed, escaped labels and a numeric value; the text ends with a
// newline.
std::string ExpositionProblem(const std::string& text) {
  if (text.empty() || text.back() != '\n') {
    return "does not end with a newline";
  }
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*))"
                                  R"((\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")"
                                  R"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})?)"
                                  R"( ([^ ]+)( -?[0-9]+)?)");
  std::map<std::string, std::string> types;
  std::set<std::string> helps;
  for (const std::string& line : Lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      if (!helps.insert(m[1]).second) {
        return "second HELP: " + line;
      }
      continue;
    }
    if (std::regex_match(line, m, kType)) {
      if (!types.emplace(m[1], m[2]).second) {
        return "second TYPE: " + line;
      }
      continue;
    }
    if (line.starts_with("#")) {
      return "unknown comment: " + line;
    }
    if (!std::regex_match(line, m, kSample)) {
      return "not a sample: " + line;
    }
    const std::string name = m[1];
    const std::string value = m[3];
    if (value != "+Inf" && value != "-Inf" && value != "NaN") {
      char* end = nullptr;
      (void)std::strtod(value.c_str(), &end);
      if (end != value.c_str() + value.size()) {
        return "not a number: " + line;
      }
    }
    std::string family = name;
    if (!types.contains(family)) {
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        if (name.ends_with(suffix)) {
          family = name.substr(0, name.size() - std::string(suffix).size());
        }
      }
      if (!types.contains(family) || types[family] != "histogram") {
        return "undeclared family: " + line;
      }
    }
    if (!helps.contains(family)) {
      return "no HELP: " + line;
    }
  }
  return "";
}

void ExpectValidExposition(const std::string& text) {
  EXPECT_EQ(ExpositionProblem(text), "") << text;
}

class MetricsTest : public ServiceTest {
 protected:
  Metrics metrics_;
};

TEST_F(MetricsTest, ObserveRequestCountsByRouteAndStatus) {
  OpenService();
  const std::string wrap = "/v1/keys/{tenant}/{name}/wrap";
  metrics_.ObserveRequest(wrap, 200, 0.003);
  metrics_.ObserveRequest(wrap, 200, 0.004);
  metrics_.ObserveRequest(wrap, 403, 0.0002);
  metrics_.ObserveRequest("/v1/sys/health", 503, 3.0);
  const std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_http_requests_total counter")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_http_requests_total{route=\"" + wrap + "\",status=\"200\"} 2"))
      << text;
  EXPECT_TRUE(HasLine(text, "keyhold_http_requests_total{route=\"" + wrap + "\",status=\"403\"} 1"))
      << text;
  EXPECT_TRUE(
      HasLine(text, "keyhold_http_requests_total{route=\"/v1/sys/health\",status=\"503\"} 1"))
      << text;
  EXPECT_FALSE(
      HasLine(text, "keyhold_http_requests_total{route=\"/v1/sys/health\",status=\"200\"} 1"));

  // The histogram is by route only.
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_http_request_duration_seconds histogram")) << text;
  const std::string h = "keyhold_http_request_duration_seconds";
  EXPECT_TRUE(HasLine(text, h + "_count{route=\"" + wrap + "\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"" + wrap + "\",le=\"0.0001\"} 0")) << text;
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"" + wrap + "\",le=\"0.00025\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"" + wrap + "\",le=\"0.0025\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"" + wrap + "\",le=\"0.005\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"" + wrap + "\",le=\"+Inf\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, h + "_count{route=\"/v1/sys/health\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, h + "_sum{route=\"/v1/sys/health\"} 3")) << text;
  // 3 s is above the largest bound (2.5 s): only +Inf holds it.
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"/v1/sys/health\",le=\"2.5\"} 0")) << text;
  EXPECT_TRUE(HasLine(text, h + "_bucket{route=\"/v1/sys/health\",le=\"+Inf\"} 1")) << text;
}

TEST_F(MetricsTest, CountsAccumulateAcrossRenders) {
  OpenService();
  metrics_.ObserveRequest("/v1/x", 200, 0.01);
  EXPECT_TRUE(HasLine(metrics_.Render(*service_),
                      "keyhold_http_requests_total{route=\"/v1/x\",status=\"200\"} 1"));
  metrics_.ObserveRequest("/v1/x", 200, 0.01);
  const std::string text = metrics_.Render(*service_);
  EXPECT_TRUE(HasLine(text, "keyhold_http_requests_total{route=\"/v1/x\",status=\"200\"} 2"))
      << text;
  EXPECT_TRUE(HasLine(text, "keyhold_http_request_duration_seconds_count{route=\"/v1/x\"} 2"))
      << text;
}

TEST_F(MetricsTest, CountRotationByReason) {
  OpenService();
  metrics_.CountRotation("period");
  metrics_.CountRotation("encryption_budget");
  metrics_.CountRotation("period");
  const std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_rotations_total counter")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_rotations_total{reason=\"period\"} 2")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_rotations_total{reason=\"encryption_budget\"} 1")) << text;
}

TEST_F(MetricsTest, UninitialisedService) {
  OpenService();
  const std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_sealed gauge")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_sealed 1")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_initialized gauge")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_initialized 0")) << text;
  EXPECT_FALSE(HasMetric(text, "keyhold_keys")) << text;
  EXPECT_FALSE(HasMetric(text, "keyhold_key_version_encryptions")) << text;
}

TEST_F(MetricsTest, InitialisedButSealed) {
  OpenService();
  InitRequest req;
  req.method = SealMethod::kKeyFile;
  req.key_file = KeyFile();
  ASSERT_TRUE(service_->Init(std::move(req)).ok());
  const std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "keyhold_sealed 1")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_initialized 1")) << text;
  EXPECT_FALSE(HasMetric(text, "keyhold_keys")) << text;
  EXPECT_FALSE(HasMetric(text, "keyhold_key_version_encryptions")) << text;
}

TEST_F(MetricsTest, UnsealedServiceShowsKeysAndVersionUsage) {
  InitAndUnseal();
  {
    const std::string empty = metrics_.Render(*service_);
    ExpectValidExposition(empty);
    EXPECT_TRUE(HasLine(empty, "keyhold_sealed 0")) << empty;
    EXPECT_TRUE(HasLine(empty, "keyhold_initialized 1")) << empty;
    EXPECT_TRUE(HasLine(empty, "keyhold_keys 0")) << empty;
    EXPECT_FALSE(HasMetric(empty, "keyhold_key_version_encryptions{")) << empty;
  }
  const auto a = Id("acme/app-key");
  const auto b = Id("globex/other");
  ASSERT_TRUE(keyring().CreateKey(a, {}).ok());
  ASSERT_TRUE(keyring().CreateKey(b, {}).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(keyring().Wrap(a, Bytes("secret plaintext"), Ctx({})).ok());
  }
  std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_keys gauge")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_keys 2")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE keyhold_key_version_encryptions gauge")) << text;
  EXPECT_TRUE(
      HasLine(text, "keyhold_key_version_encryptions{key=\"acme/app-key\",version=\"1\"} 3"))
      << text;
  EXPECT_TRUE(
      HasLine(text, "keyhold_key_version_encryptions{key=\"globex/other\",version=\"1\"} 0"))
      << text;
  EXPECT_EQ(text.find("secret plaintext"), std::string::npos);

  // A rotation adds a version; the old one keeps its count.
  ASSERT_TRUE(keyring().Rotate(a).ok());
  ASSERT_TRUE(keyring().Wrap(a, Bytes("x"), Ctx({})).ok());
  text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(
      HasLine(text, "keyhold_key_version_encryptions{key=\"acme/app-key\",version=\"1\"} 3"))
      << text;
  EXPECT_TRUE(
      HasLine(text, "keyhold_key_version_encryptions{key=\"acme/app-key\",version=\"2\"} 1"))
      << text;
  EXPECT_TRUE(HasLine(text, "keyhold_keys 2")) << text;

  // Sealing hides the key gauges again.
  service_->Seal();
  text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "keyhold_sealed 1")) << text;
  EXPECT_TRUE(HasLine(text, "keyhold_initialized 1")) << text;
  EXPECT_FALSE(HasMetric(text, "keyhold_keys")) << text;
}

TEST_F(MetricsTest, DestroyedKeysStillCount) {
  InitAndUnseal();
  const auto a = Id("acme/a");
  ASSERT_TRUE(keyring().CreateKey(a, {}).ok());
  ASSERT_TRUE(keyring().CreateKey(Id("acme/b"), {}).ok());
  ASSERT_TRUE(keyring().ScheduleDeletion(a, 7).ok());
  clock_.Advance(7 * kDay);
  ASSERT_TRUE(keyring().Destroy(a).ok());
  const std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, "keyhold_keys 2")) << text;
}

TEST_F(MetricsTest, LabelValuesAreEscaped) {
  OpenService();
  metrics_.ObserveRequest("a\"b\\c\nd", 418, 0.001);
  const std::string text = metrics_.Render(*service_);
  ExpectValidExposition(text);
  EXPECT_TRUE(HasLine(text, R"(keyhold_http_requests_total{route="a\"b\\c\nd",status="418"} 1)"))
      << text;
}

TEST(MetricsFormatTest, CheckerRejectsBrokenText) {
  // The checker above must be able to fail.
  EXPECT_EQ(ExpositionProblem("# HELP m h\n# TYPE m gauge\nm 1\nm{a=\"x\"} 2\n"), "");
  const std::string bad[] = {
      "keyhold_x 1\n",  // undeclared
      "# TYPE m gauge\nm 1\n",
      "# HELP m h\n# TYPE m gauge\nm{a=\"1\"}1\n",
      "# HELP m h\n# TYPE m gauge\nm{a=1} 1\n",
      "# HELP m h\n# TYPE m gauge\nm one\n",
      "# HELP m h\n# TYPE m gauge\nm 1",
      "# HELP m h\n# TYPE m gauge\nm{a=\"x\\qy\"} 1\n",
      "# HELP m h\n# TYPE m gauge\nm_count 1\n",
      "# HELP m h\n# TYPE m gauge\n# TYPE m counter\n",
      "# HELP m h\n# TYPE m gauge\n#comment\n",
  };
  for (const std::string& text : bad) {
    EXPECT_NE(ExpositionProblem(text), "") << text;
  }
}

}  // namespace
}  // namespace keyhold::kms
