using Gateway.Ssh.Keys;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// Shared by the interop tests: one server with every algorithm on, and user keys of every type
/// made by the real ssh-keygen (so the client reads its own format).
/// </summary>
public sealed class InteropFixture : IAsyncLifetime
{
    public static readonly (string Name, string Type, int? Bits)[] UserKeyTypes =
    [
        ("id_ed25519", "ed25519", null),
        ("id_ecdsa256", "ecdsa", 256),
        ("id_ecdsa384", "ecdsa", 384),
        ("id_ecdsa521", "ecdsa", 521),
        ("id_rsa", "rsa", 3072),
    ];

    public TempDirectory Directory { get; } = new();
    public TestSshServer Server { get; private set; } = null!;
    public Dictionary<string, string> KeyFiles { get; } = [];

    public async Task InitializeAsync()
    {
        var keys = new List<SshPublicKey>();
        foreach (var (name, type, bits) in UserKeyTypes)
        {
            var path = await OpenSshKeys.GenerateAsync(Directory, name, type, bits);
            KeyFiles[name] = path;
            keys.Add(SshKeys.ParseAuthorizedKey(await File.ReadAllTextAsync(path + ".pub")));
        }
        Server = TestSshServer.Start(keys);
        KnownHostsPath = Directory.WritePrivate("known_hosts_all",
            string.Join("\n", Server.HostKeys.Select(k => $"[127.0.0.1]:{Server.Port} {SshKeys.FormatAuthorizedKey(k.PublicKey)}")) + "\n");
    }

    public string KnownHostsPath { get; private set; } = "";

    /// <summary>A client that knows all of the server's host keys.</summary>
    public OpenSshClient Client(string keyName = "id_ed25519")
        => new(Server.Port, KnownHostsPath, KeyFiles[keyName]);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
