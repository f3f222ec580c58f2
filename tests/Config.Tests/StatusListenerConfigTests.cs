using Gateway.Testing;

namespace Gateway.Config.Tests;

/// <summary><c>cluster.status_address</c>, <c>status_token_file</c> and <c>status_allowed_hosts</c>.</summary>
public class StatusListenerConfigTests
{
    [Theory]
    [InlineData("8081", "127.0.0.1", 8081)]
    [InlineData(":8081", "127.0.0.1", 8081)]
    [InlineData("0.0.0.0:8081", "0.0.0.0", 8081)]
    [InlineData("10.0.0.5:9090", "10.0.0.5", 9090)]
    public void A_port_alone_binds_loopback_and_an_address_is_kept(string written, string host, int port)
    {
        var config = GatewayConfigLoader.Parse($"cluster {{ status_address = \"{written}\" }}", "/base", ConfigAssert.NoEnv);
        Assert.Equal(new HostPort(host, port), config.Cluster!.StatusAddress);
    }

    [Fact]
    public void The_flag_and_the_environment_take_a_port_alone_as_loopback_too()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("node.hocon", "cluster { }");
        var env = new Dictionary<string, string> { ["GATEWAY_STATUS_ADDRESS"] = ":8082" };
        Assert.Equal(new HostPort("127.0.0.1", 8082), GatewayConfigLoader.Load(path, env, []).Cluster!.StatusAddress);
        Assert.Equal(new HostPort("127.0.0.1", 8083), GatewayConfigLoader.Load(path, env, ["--status-address", "8083"]).Cluster!.StatusAddress);
    }

    [Fact]
    public void Status_address_that_is_not_an_address_names_the_key()
        => ConfigAssert.HasProblem("cluster { status_address = \"nope\" }", "cluster.status_address", "expected host:port");

    [Fact]
    public void A_private_token_file_is_accepted_relative_to_the_config()
    {
        using var dir = new TempDirectory();
        dir.Write("status-token", "s3cret\n");
        var config = GatewayConfigLoader.Parse("cluster { status_token_file = \"status-token\" }", dir.Path, ConfigAssert.NoEnv);
        Assert.Equal(dir.File("status-token"), config.Cluster!.StatusTokenFile);
        Assert.DoesNotContain("s3cret", config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_file_others_can_read_is_refused()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("status-token", "s3cret\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ConfigAssert.HasProblem($"cluster {{ status_token_file = \"{file}\" }}", "cluster.status_token_file", "permissions are too open (chmod 600)");
    }

    [Fact]
    public void A_missing_or_empty_token_file_is_refused()
    {
        using var dir = new TempDirectory();
        var empty = dir.Write("empty-token", " \n");
        ConfigAssert.HasProblem($"cluster {{ status_token_file = \"{dir.File("missing")}\" }}", "cluster.status_token_file", "cannot read");
        ConfigAssert.HasProblem($"cluster {{ status_token_file = \"{empty}\" }}", "cluster.status_token_file", "is empty");
    }

    [Fact]
    public void Allowed_hosts_are_kept_in_the_form_requests_are_compared_in()
    {
        var config = GatewayConfigLoader.Parse("""cluster { status_allowed_hosts = ["Status.Internal.", "[::1]:8081", "10.0.0.5:8081", "fd00::5"] }""", "/base", ConfigAssert.NoEnv);
        Assert.Equal(["status.internal", "[::1]:8081", "10.0.0.5:8081", "[fd00::5]"], config.Cluster!.StatusAllowedHosts);
        Assert.Empty(GatewayConfigLoader.Parse("cluster { }", "/base", ConfigAssert.NoEnv).Cluster!.StatusAllowedHosts);
    }

    [Theory]
    [InlineData("http://status.internal/")]
    [InlineData("*.internal")]
    [InlineData("status.internal:99999")]
    [InlineData("")]
    public void An_allowed_host_that_is_not_a_host_names_its_entry(string entry)
        => ConfigAssert.HasProblem($"cluster {{ status_allowed_hosts = [\"ok.internal\", \"{entry}\"] }}", "cluster.status_allowed_hosts[1]", "expected a host name or address");
}
