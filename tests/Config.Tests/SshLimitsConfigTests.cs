using Gateway.Config;

namespace Gateway.Config.Tests;

/// <summary>The SSH front-door limits: OpenSSH's defaults unless set, and set values read as written.</summary>
public class SshLimitsConfigTests
{
    [Fact]
    public void Defaults_are_openssh_max_startups_ten_per_source_and_two_minutes_grace()
    {
        var config = GatewayConfigLoader.Parse("", "/base", ConfigAssert.NoEnv);
        Assert.Equal(new SshMaxStartups(10, 30, 100), config.SshMaxStartups);
        Assert.Equal(10, config.SshPerSourceMaxStartups);
        Assert.Equal(TimeSpan.FromSeconds(120), config.SshLoginGraceTime);
        Assert.Equal(10_000, config.SshMaxConnections);
    }

    [Fact]
    public void Set_values_are_read()
    {
        var config = GatewayConfigLoader.Parse("""
            ssh_max_startups = "5:50:20"
            ssh_per_source_max_startups = 3
            ssh_login_grace_time = "30s"
            ssh_max_connections = 20000
            """, "/base", ConfigAssert.NoEnv);
        Assert.Equal(20_000, config.SshMaxConnections);
        Assert.Equal(new SshMaxStartups(5, 50, 20), config.SshMaxStartups);
        Assert.Equal(3, config.SshPerSourceMaxStartups);
        Assert.Equal(TimeSpan.FromSeconds(30), config.SshLoginGraceTime);
        Assert.Equal(new SshMaxStartups(8, 100, 8), GatewayConfigLoader.Parse("ssh_max_startups = 8", "/base", ConfigAssert.NoEnv).SshMaxStartups);
    }
}
