using Gateway.Ssh.Client;
using System.Text;
using System.Text.Json;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.SshSessions.SignIn;
using Gateway.Ssh;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Signing in over SSH against the gateway's real SSH stack (in this process, real loopback
/// sockets, the SSH library's client): what a key gets with and without a valid binding, the
/// keyboard-interactive URL and its wait, the code's reuse, refusal, expiry and abandonment.
/// </summary>
public sealed class SshSignInTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly SignInSshServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_key_with_a_valid_binding_is_its_sessions_person_at_once()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        await _server.SignInAsync(key.PublicKey);
        var prompts = 0;
        await using var client = await _server.ConnectAsync(key, _ => prompts++);
        Assert.Equal(0, prompts);
        var tunnel = Assert.Single(await _server.TunnelsAsync(1));
        Assert.Equal(("sess-1", "00u-alice", "alice@example.com"), (tunnel.Identity.SessionId, tunnel.Identity.Subject, tunnel.Identity.Email));
        Assert.Equal(["engineering"], tunnel.Identity.Claims["department"]);
        Assert.Equal(0, _server.Store.CodesIssued);
    }

    /// <summary>Connects with <paramref name="key"/> and waits (bounded) for the sign-in prompt; the connection goes on waiting.</summary>
    private async Task<(Task<SshClient> Connecting, KeyboardInteractivePrompt Prompt, string Code)> StartWaitingAsync(SshPrivateKey key, CancellationToken cancellationToken = default)
    {
        var shown = new TaskCompletionSource<KeyboardInteractivePrompt>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connecting = _server.ConnectAsync(key, p => shown.TrySetResult(p), cancellationToken);
        var prompt = await shown.Task.WaitAsync(Bound);
        return (connecting, prompt, SignInSshServer.CodeOf(prompt.Instruction));
    }

    [Fact]
    public async Task Without_a_binding_the_client_is_shown_the_url_and_let_in_when_the_key_is_bound()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var (connecting, prompt, code) = await StartWaitingAsync(key);
        Assert.Equal(SshSignIn.PromptName, prompt.Name);
        Assert.Empty(prompt.Prompts);
        Assert.Matches("^https://authenticate\\.example\\.com/\\.pomerium/sign_in\\?user_code=[A-Za-z0-9_-]{22}$", prompt.Instruction);
        Assert.Equal(SshKeys.Fingerprint(key.PublicKey), _server.Store.FindCode(code)!.KeyFingerprint);
        Assert.Equal("127.0.0.1", _server.Store.FindCode(code)!.Source);
        // Still waiting: nothing lets it in before the binding.
        await Task.Delay(500);
        Assert.False(connecting.IsCompleted);

        await _server.ConfirmAsync(code);
        await using var client = await connecting.WaitAsync(Bound);
        Assert.Equal("sess-1", Assert.Single(await _server.TunnelsAsync(1)).Identity.SessionId);
        // One line for the code, naming its first four characters only.
        var line = Assert.Single(_server.Log.Lines, l => l.StartsWith("ssh sign-in: code", StringComparison.Ordinal));
        Assert.Contains($"code {code[..4]}… (issued) for key {SshKeys.Fingerprint(key.PublicKey)} from 127.0.0.1", line);
        Assert.DoesNotContain(code, string.Join('\n', _server.Log.Lines));
    }

    [Fact]
    public async Task Two_connections_with_one_key_are_shown_one_code_and_one_sign_in_lets_both_in()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var first = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = _server.ConnectAsync(key, p => first.TrySetResult(p.Instruction));
        var b = _server.ConnectAsync(key, p => second.TrySetResult(p.Instruction));
        var urlA = await first.Task.WaitAsync(Bound);
        var urlB = await second.Task.WaitAsync(Bound);
        Assert.Equal(urlA, urlB);
        Assert.Equal(1, _server.Store.CodesIssued);
        Assert.Contains(_server.Log.Lines, l => l.Contains("(reused)", StringComparison.Ordinal));

        await _server.ConfirmAsync(SignInSshServer.CodeOf(urlA));
        await using var clientA = await a.WaitAsync(Bound);
        await using var clientB = await b.WaitAsync(Bound);
        Assert.Equal(2, (await _server.TunnelsAsync(2)).Count(t => t.Identity.SessionId == "sess-1"));
    }

    [Fact]
    public async Task A_binding_made_by_another_code_lets_a_waiting_connection_in()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var (connecting, _, _) = await StartWaitingAsync(key);
        // Another node showed another code for the key, and that one was confirmed.
        await _server.SignInAsync(key.PublicKey);
        await using var client = await connecting.WaitAsync(Bound);
        Assert.Equal("sess-1", Assert.Single(await _server.TunnelsAsync(1)).Identity.SessionId);
    }

    [Fact]
    public async Task A_denied_code_fails_the_connection_with_the_reason()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var (connecting, _, code) = await StartWaitingAsync(key);
        await _server.Store.DecideCodeAsync(code, false, null, DateTimeOffset.UtcNow, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SshAuthenticationException>(() => connecting.WaitAsync(Bound));
        // No further method: the client ends rather than asking for another code.
        Assert.Empty(refused.MethodsLeft);
        Assert.Contains(_server.Log.Lines, l => l.EndsWith(": " + SshSignIn.CodeDenied, StringComparison.Ordinal));
        Assert.Equal(1, _server.Store.CodesIssued);
        Assert.Empty(_server.Tunnels.All);
    }

    [Fact]
    public async Task An_expired_code_fails_the_connection_with_a_timeout()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var (connecting, _, code) = await StartWaitingAsync(key);
        _server.Store.Expire(code, DateTimeOffset.UtcNow);
        var refused = await Assert.ThrowsAsync<SshAuthenticationException>(() => connecting.WaitAsync(Bound));
        Assert.Empty(refused.MethodsLeft);
        Assert.Contains(_server.Log.Lines, l => l.EndsWith(": " + SshSignIn.CodeTimedOut, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_that_goes_away_while_waiting_ends_the_wait()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        using var cancel = new CancellationTokenSource();
        var (connecting, _, _) = await StartWaitingAsync(key, cancel.Token);
        // The client shows the URL as the server sends it; the server starts listening for changes once the (empty) answer is back.
        var listening = DateTime.UtcNow + Bound;
        while (_server.Store.Subscribers != 1 && DateTime.UtcNow < listening) await Task.Delay(20);
        Assert.Equal(1, _server.Store.Subscribers);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => connecting.WaitAsync(Bound));
        var deadline = DateTime.UtcNow + Bound;
        while (_server.Store.Subscribers != 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, _server.Store.Subscribers);
        // A binding made afterwards lets nobody in on that connection.
        await _server.SignInAsync(key.PublicKey);
        Assert.Empty(_server.Tunnels.All);
    }

    [Fact]
    public async Task A_configured_users_key_works_as_before_without_a_sign_in()
    {
        var prompts = 0;
        await using var client = await _server.ConnectAsync(SignInSshServer.BobKey, _ => prompts++);
        Assert.Equal(0, prompts);
        var identity = Assert.Single(await _server.TunnelsAsync(1)).Identity;
        Assert.Equal(("bob@example.com", (string?)null), (identity.Email, identity.SessionId));
        var whoami = await client.RunAsync("whoami");
        Assert.Contains($"Expires:        {WhoamiCommand.NoExpiry}\n", Encoding.UTF8.GetString(whoami.Output));
        var logout = await client.RunAsync("logout");
        Assert.Equal(LogoutCommand.NothingToEnd, Encoding.UTF8.GetString(logout.Output));
    }

    [Fact]
    public async Task Whoami_over_ssh_shows_the_sign_in()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var session = await _server.SignInAsync(key.PublicKey);
        await using var client = await _server.ConnectAsync(key);
        var result = await client.RunAsync("whoami --json");
        Assert.Equal(0u, result.ExitStatus);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(result.Output));
        var root = json.RootElement;
        Assert.Equal("00u-alice", root.GetProperty("subject").GetString());
        Assert.Equal("sess-1", root.GetProperty("sign_in_session_id").GetString());
        Assert.Equal(session.ExpiresAt, root.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(["department", "email", "sub"], root.GetProperty("claims").EnumerateObject().Select(p => p.Name));
        Assert.Equal(SshKeys.Fingerprint(key.PublicKey), root.GetProperty("key_fingerprint").GetString());
    }
}

/// <summary>Real OpenSSH: what a person at <c>ssh -N</c> sees, and that one sign-in lets it in.</summary>
public sealed class OpenSshSignInTests : IAsyncLifetime
{
    private readonly SignInSshServer _server = new();
    private readonly Gateway.Testing.TempDirectory _dir = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Ssh_prints_the_sign_in_url_on_stderr_and_continues_once_the_key_is_bound()
    {
        var identity = await Gateway.Testing.OpenSshKeys.GenerateAsync(_dir, "id", "ed25519");
        var key = AuthorizedKey.Parse((await File.ReadAllTextAsync(identity + ".pub")).Trim()).PublicKey!;
        var knownHosts = _dir.WritePrivate("known_hosts", $"[127.0.0.1]:{_server.Port} {_server.HostKeyLine}\n");
        await using var ssh = Gateway.Testing.ExternalProcess.Start("ssh", [
            "-F", "/dev/null", "-p", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", identity,
            "-o", "IdentitiesOnly=yes", "-o", "KbdInteractiveAuthentication=yes", "-o", "PasswordAuthentication=no",
            "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=20", "-N", "tunnel@127.0.0.1"]);
        Assert.True(await ssh.WaitForStderrAsync(e => e.Contains("user_code=", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), ssh.Stderr);
        Assert.Contains(SshSignIn.PromptName, ssh.Stderr);
        var url = ssh.Stderr.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(SignInSshServer.AuthenticateUrl + ".pomerium/sign_in?user_code=", StringComparison.Ordinal));

        await _server.ConfirmAsync(SignInSshServer.CodeOf(url));
        var tunnel = Assert.Single(await _server.TunnelsAsync(1));
        Assert.Equal(("sess-1", SshKeys.Fingerprint(key)), (tunnel.Identity.SessionId, SshKeys.Fingerprint(tunnel.Identity.Key)));
        Assert.False(ssh.HasExited);

        // Signing out ends it with the reason on the client's stderr.
        await _server.Store.EndSessionAsync("sess-1", CancellationToken.None);
        Assert.Equal(1, _server.Watcher.Sweep());
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("sign-in ended: signed out", ssh.Stderr);
    }

    [Fact]
    public async Task Ssh_prints_why_a_denied_code_failed_and_exits()
    {
        var identity = await Gateway.Testing.OpenSshKeys.GenerateAsync(_dir, "id", "ed25519");
        var knownHosts = _dir.WritePrivate("known_hosts", $"[127.0.0.1]:{_server.Port} {_server.HostKeyLine}\n");
        await using var ssh = Gateway.Testing.ExternalProcess.Start("ssh", [
            "-F", "/dev/null", "-p", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", identity,
            "-o", "IdentitiesOnly=yes", "-o", "KbdInteractiveAuthentication=yes", "-o", "PasswordAuthentication=no",
            "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=20", "-N", "tunnel@127.0.0.1"]);
        Assert.True(await ssh.WaitForStderrAsync(e => e.Contains("user_code=", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), ssh.Stderr);
        var url = ssh.Stderr.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("user_code=", StringComparison.Ordinal));
        await _server.Store.DecideCodeAsync(SignInSshServer.CodeOf(url), false, null, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(10)), ssh.Stderr);
        Assert.Equal(255, ssh.ExitCode);
        Assert.Contains(SshSignIn.CodeDenied, ssh.Stderr);
        Assert.Equal(1, _server.Store.CodesIssued);
    }
}
