using Gateway.Testing;
using System.Collections.Concurrent;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>Keys generated once per test run, and user certificates made by the real ssh-keygen.</summary>
internal static class AuthTestKeys
{
    private static readonly ConcurrentDictionary<(SshKeyKind, int), SshPrivateKey> Cache = new();

    /// <summary>The n-th cached key of a kind (distinct keys for distinct n).</summary>
    public static SshPrivateKey Get(SshKeyKind kind, int n = 0) =>
        Cache.GetOrAdd((kind, n), k => SshKeys.Generate(k.Item1, rsaBits: 2048));

    public static SshPrivateKey Fresh(SshKeyKind kind) => SshKeys.Generate(kind, rsaBits: 2048);

    public static string RunKeygen(params string[] arguments) => Gateway.Ssh.Tests.Keys.SshKeygen.Ok(arguments);
}

/// <summary>A temporary CA made by ssh-keygen that signs user certificates with <c>ssh-keygen -s</c>.</summary>
internal sealed class KeygenCa : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string _dir => _temp.Path;
    private int _serial;

    public KeygenCa(string type = "ed25519")
    {
        AuthTestKeys.RunKeygen("-q", "-t", type, "-N", "", "-C", "test-ca", "-f", Path.Combine(_dir, "ca"));
        PublicKey = SshKeys.ParseAuthorizedKey(File.ReadAllText(Path.Combine(_dir, "ca.pub")));
    }

    public SshPublicKey PublicKey { get; }

    /// <summary>Signs <paramref name="key"/>'s public key; <paramref name="extra"/> are more ssh-keygen options (-V, -O…).</summary>
    public SshCertifiedPrivateKey Certify(SshPrivateKey key, string principals, params string[] extra)
    {
        var name = "user" + Interlocked.Increment(ref _serial);
        var pub = Path.Combine(_dir, name + ".pub");
        File.WriteAllText(pub, SshKeys.FormatAuthorizedKey(key.PublicKey, name) + "\n");
        var args = new List<string> { "-q", "-s", Path.Combine(_dir, "ca"), "-I", name, "-n", principals };
        args.AddRange(extra);
        args.Add(pub);
        AuthTestKeys.RunKeygen([.. args]);
        var certificate = (SshCertificate)SshKeys.ParseAuthorizedKey(File.ReadAllText(Path.Combine(_dir, name + "-cert.pub")));
        return new SshCertifiedPrivateKey(Reload(key), certificate);
    }

    // SshCertifiedPrivateKey owns its inner key; give it a copy so cached keys stay usable.
    private static SshPrivateKey Reload(SshPrivateKey key) => SshKeys.LoadPrivateKey(SshKeys.ExportPrivateKey(key));

    public void Dispose() => _temp.Dispose();
}
