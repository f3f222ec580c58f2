using System.Text.Json;
using Gateway.Node.SshSessions.Cli;
using Gateway.Ssh.Keys;
using Gateway.Testing;

namespace Gateway.Node.Tests.Cli;

public sealed class WhoamiCommandTests
{
    [Fact]
    public async Task Text_shows_identity_groups_method_key_session_and_no_expiry()
    {
        var f = new CliFixture();
        var result = await f.RunAsync("whoami");
        Assert.Equal(CliExitCodes.Success, result.ExitCode);
        Assert.Equal($"""
            Email:          alice@example.com
            Name:           Alice Example
            Groups:         dev, ops
            Signed in with: public key
            Key:            ED25519 {SshKeys.Fingerprint(f.Key)}
            SSH user:       tunnel
            Session:        ssh-7-abcdef12 from 127.0.0.1:50000
            Expires:        {WhoamiCommand.NoExpiry}

            """, result.Stdout);
        Assert.Matches("^SHA256:[A-Za-z0-9+/]{43}$", SshKeys.Fingerprint(f.Key));
    }

    [Fact]
    public async Task Json_has_the_documented_fields()
    {
        var f = new CliFixture();
        var result = await f.RunAsync("whoami --json");
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("alice@example.com", root.GetProperty("email").GetString());
        Assert.Equal("Alice Example", root.GetProperty("name").GetString());
        Assert.Equal(["dev", "ops"], root.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("publickey", root.GetProperty("auth_method").GetString());
        Assert.Equal("ED25519", root.GetProperty("key_type").GetString());
        Assert.Equal(SshKeys.Fingerprint(f.Key), root.GetProperty("key_fingerprint").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("certificate").ValueKind);
        Assert.Equal("tunnel", root.GetProperty("ssh_username").GetString());
        Assert.Equal("ssh-7-abcdef12", root.GetProperty("session_id").GetString());
        Assert.Equal("127.0.0.1:50000", root.GetProperty("client_address").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("expires_at").ValueKind);
        Assert.EndsWith("}\n", result.Stdout);
    }

    [Fact]
    public async Task A_certificate_shows_its_id_serial_principals_validity_and_ca()
    {
        using var dir = new TempDirectory();
        var ca = await OpenSshKeys.GenerateAsync(dir, "ca", "ed25519");
        var user = await OpenSshKeys.GenerateAsync(dir, "user", "ecdsa");
        var certPath = await OpenSshKeys.CertifyAsync(ca, user + ".pub", "alice-laptop", "alice@example.com,alice", "20300101000000:20310101000000", "no-x11-forwarding");
        var certificate = (SshCertificate)AuthorizedKey.Parse((await File.ReadAllTextAsync(certPath)).Trim()).PublicKey!;
        var caKey = AuthorizedKey.Parse((await File.ReadAllTextAsync(ca + ".pub")).Trim()).PublicKey!;
        var f = new CliFixture(certificate.Key, certificate);

        var text = (await f.RunAsync("whoami")).Stdout;
        Assert.Contains("Signed in with: certificate\n", text);
        Assert.Contains($"Key:            ECDSA-CERT {SshKeys.Fingerprint(certificate.Key)}\n", text);
        Assert.Contains("Certificate:    ID \"alice-laptop\" (serial 0), principals alice@example.com, alice\n", text);
        Assert.Contains("Valid:          2030-01-01 ", text);
        Assert.Contains($"CA:             ED25519 {SshKeys.Fingerprint(caKey)}\n", text);
        Assert.Contains($"Expires:        {WhoamiCommand.NoExpiry}\n", text);

        using var json = JsonDocument.Parse((await f.RunAsync("whoami --json")).Stdout);
        Assert.Equal("certificate", json.RootElement.GetProperty("auth_method").GetString());
        var cert = json.RootElement.GetProperty("certificate");
        Assert.Equal("alice-laptop", cert.GetProperty("key_id").GetString());
        Assert.Equal(0ul, cert.GetProperty("serial").GetUInt64());
        Assert.Equal(["alice@example.com", "alice"], cert.GetProperty("principals").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(certificate.ValidBefore, cert.GetProperty("valid_before").GetDateTimeOffset());
        Assert.Equal(SshKeys.Fingerprint(caKey), cert.GetProperty("ca_fingerprint").GetString());
    }

    [Fact]
    public async Task A_sign_in_shows_subject_email_groups_claims_sorted_and_its_expiry()
    {
        var f = new CliFixture();
        var expires = DateTimeOffset.UtcNow.AddHours(2).AddMinutes(5);
        var context = f.Context with
        {
            Identity = new Gateway.Node.SshSessions.GatewayIdentity("alice@example.com", "Alice Example", ["dev", "ops"], f.Key, null)
            {
                SessionId = "sess-1",
                Subject = "00u-alice",
                Claims = new Dictionary<string, IReadOnlyList<string>> { ["sub"] = ["00u-alice"], ["department"] = ["engineering"], ["groups"] = ["dev", "ops"] },
                SignInExpiresAt = expires,
            },
        };
        var report = WhoamiReport.Of(context);
        var now = expires - TimeSpan.FromHours(2) - TimeSpan.FromMinutes(5);
        Assert.Equal($"""
            User ID:        00u-alice
            Email:          alice@example.com
            Name:           Alice Example
            Groups:         dev, ops
            Signed in with: sign-in (this key is bound to it)
            Key:            ED25519 {SshKeys.Fingerprint(f.Key)}
            SSH user:       tunnel
            Session:        ssh-7-abcdef12 from 127.0.0.1:50000
            Sign-in:        sess-1
            Expires at:     {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (in 2h5m)
            Claims:
              department: engineering
              groups: dev, ops
              sub: 00u-alice

            """, WhoamiCommand.Render(report, now));

        var result = await new CliCommands().RunAsync("whoami --json", context, CancellationToken.None);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("00u-alice", root.GetProperty("subject").GetString());
        Assert.Equal("sess-1", root.GetProperty("sign_in_session_id").GetString());
        Assert.Equal(expires, root.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal("publickey", root.GetProperty("auth_method").GetString());
        Assert.Equal(["department", "groups", "sub"], root.GetProperty("claims").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["dev", "ops"], root.GetProperty("claims").GetProperty("groups").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task A_configured_users_json_has_the_sign_in_fields_as_null()
    {
        var result = await new CliFixture().RunAsync("whoami --json");
        using var json = JsonDocument.Parse(result.Stdout);
        foreach (var name in new[] { "subject", "sign_in_session_id", "claims", "expires_at" })
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty(name).ValueKind);
    }

    [Theory]
    [InlineData(7500, "in 2h5m")]
    [InlineData(270, "in 4m30s")]
    [InlineData(12, "in 12s")]
    [InlineData(0, "expired")]
    public void Time_left_reads_as_a_duration(int seconds, string text) => Assert.Equal(text, WhoamiCommand.Remaining(TimeSpan.FromSeconds(seconds)));
}
