using System.Collections.Concurrent;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Tests.Auth;

namespace Gateway.Ssh.Tests.Security;

/// <summary>Peer-supplied text in logs: no line breaks, no terminal escapes, bounded length.</summary>
public sealed class PeerTextTests
{
    private static readonly string HostileName = "alice\r\n2026-01-01 INFO ssh root authenticated\u001b[2J\u202e" + new string('x', 250 * 1024);

    [Fact]
    public void Control_and_format_characters_are_escaped_and_length_is_bounded()
    {
        var text = PeerText.Sanitize(HostileName);

        Assert.StartsWith("alice\\x0d\\x0a2026-01-01 INFO ssh root authenticated\\x1b[2J\\u202e", text);
        Assert.EndsWith("…", text);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u202e', text);
        Assert.True(text.Length <= PeerText.DefaultMaxLength * 6 + 1, $"{text.Length} characters");
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("Zoë 😀")]
    [InlineData("")]
    public void Ordinary_text_is_unchanged(string text) => Assert.Equal(text, PeerText.Sanitize(text));

    [Fact]
    public void A_lone_surrogate_is_escaped_and_a_pair_is_kept()
    {
        Assert.Equal("a\\ud800b", PeerText.Sanitize("a\ud800b"));
        Assert.Equal("😀", PeerText.Sanitize("😀"));
    }

    [Fact]
    public async Task Hostile_username_before_authentication_reaches_the_log_escaped_and_short()
    {
        var log = new ConcurrentQueue<string>();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator(), Log = log.Enqueue });
        var raw = pair.UseRaw();
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);

        // Refused and logged whichever check runs first (authorization or the signature).
        await raw.SendAsync(RawMessages.Signed(HostileName, "ssh-ed25519", key, signer: AuthTestKeys.Get(SshKeyKind.Ed25519, 3)));
        AuthAssert.ParseFailure(await raw.NextAsync());

        Assert.NotEmpty(log);
        Assert.All(log, line =>
        {
            Assert.DoesNotContain('\r', line);
            Assert.DoesNotContain('\n', line);
            Assert.DoesNotContain('\u001b', line);
            Assert.True(line.Length < 2048, $"a log line of {line.Length} characters");
        });
        Assert.Contains(log, line => line.Contains("alice\\x0d\\x0a2026", StringComparison.Ordinal));
    }
}
