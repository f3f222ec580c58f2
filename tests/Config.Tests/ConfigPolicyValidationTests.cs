using Gateway.Config;

namespace Gateway.Config.Tests;

public class ConfigPolicyValidationTests
{
    [Fact]
    public void Unknown_policy_criterion_stops_the_load_naming_its_path()
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Parse("""
            routes = [
              {
                from = "https://app.example.com"
                to = "http://127.0.0.1:8080"
                policy { allow { or = [{ emial { is = "a@example.com" } }] } }
                upstream_tunnel { ssh_policy { allow { or = [{ email { bogus_matcher = "x" } }] } } }
              }
            ]
            """));
        Assert.Contains(ex.Problems, p => p.Path.StartsWith("routes[0].policy", StringComparison.Ordinal) && p.Message.Contains("emial"));
        Assert.Contains(ex.Problems, p => p.Path.StartsWith("routes[0].upstream_tunnel.ssh_policy", StringComparison.Ordinal) && p.Message.Contains("bogus_matcher"));
    }

    [Fact]
    public void Valid_policies_load()
    {
        var config = GatewayConfigLoader.Parse("""
            routes = [
              {
                from = "https://app.example.com"
                to = "http://127.0.0.1:8080"
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "a@example.com" } }, { groups { has = "dev" } }] } } }
              }
            ]
            """);
        Assert.Single(config.Routes);
    }
}
