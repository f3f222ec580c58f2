using Gateway.Ssh.Keys;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// One real OpenSSH sshd shared by a test class: a host key of every type, a user key it accepts
/// for the current user, and a CA whose user certificates it trusts.
/// </summary>
public sealed class OpenSshServerFixture : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();
    public OpenSshServer Server { get; private set; } = null!;

    /// <summary>A user key sshd accepts for <see cref="UserName"/>.</summary>
    public SshPrivateKey UserKey { get; private set; } = null!;

    /// <summary>The CA private key file (ssh-keygen -s signs with it).</summary>
    public string CaPath { get; private set; } = null!;

    /// <summary>sshd's host keys by ssh-keygen type (ed25519, ecdsa, rsa).</summary>
    public IReadOnlyDictionary<string, SshPublicKey> HostKeys { get; private set; } = null!;

    public static string UserName => Environment.UserName;

    public int Port => Server.Port;
    public string Log => Server.Log;

    public async Task InitializeAsync()
    {
        UserKey = SshKeys.Generate(SshKeyKind.Ed25519);
        CaPath = await OpenSshKeys.GenerateAsync(Directory, "ca", "ed25519");
        Server = await OpenSshServer.StartAsync(Directory, SshKeys.FormatAuthorizedKey(UserKey.PublicKey) + "\n",
            await File.ReadAllTextAsync(CaPath + ".pub"), hostKeyTypes: OpenSshServer.AllHostKeyTypes);
        HostKeys = Server.HostKeys.ToDictionary(k => k.Key, k => SshKeys.ParseAuthorizedKey(k.Value));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        UserKey.Dispose();
        Directory.Dispose();
    }
}
