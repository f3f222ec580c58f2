using Gateway.Ssh.Keys;

using Gateway.Testing;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>
/// CA and user keys made once by ssh-keygen for all certificate tests, and a helper that signs a
/// user key with <c>ssh-keygen -s</c> and parses the resulting <c>-cert.pub</c>.
/// </summary>
public sealed class CertificateFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _counter;

    public CertificateFixture()
    {
        SshKeygen.CreateKey(_dir.File("ca_ed25519"), "ed25519", 0);
        SshKeygen.CreateKey(_dir.File("ca_ecdsa"), "ecdsa", 384);
        SshKeygen.CreateKey(_dir.File("ca_rsa"), "rsa", 3072);
        SshKeygen.CreateKey(_dir.File("other_ca"), "ed25519", 0);
        SshKeygen.CreateKey(_dir.File("user_ed25519"), "ed25519", 0);
        SshKeygen.CreateKey(_dir.File("user_ecdsa"), "ecdsa", 256);
        SshKeygen.CreateKey(_dir.File("user_rsa"), "rsa", 3072);
    }

    public static readonly string[] CaNames = ["ca_ed25519", "ca_ecdsa", "ca_rsa"];
    public static readonly string[] UserNames = ["user_ed25519", "user_ecdsa", "user_rsa"];

    public SshPublicKey PublicKey(string name) => SshKeys.ParseAuthorizedKey(File.ReadAllText(_dir.File(name + ".pub")));

    public SshPrivateKey PrivateKey(string name) => SshKeys.LoadPrivateKey(File.ReadAllText(_dir.File(name)));

    public IReadOnlyCollection<SshPublicKey> TrustedCas => [PublicKey("ca_ed25519"), PublicKey("ca_ecdsa"), PublicKey("ca_rsa")];

    /// <summary>Signs <paramref name="user"/>'s public key with <paramref name="ca"/> and returns the certificate file path.</summary>
    public string SignFile(string ca, string user, params string[] options)
    {
        var copy = _dir.File($"{user}-{Interlocked.Increment(ref _counter)}.pub");
        File.Copy(_dir.File(user + ".pub"), copy);
        var args = new List<string> { "-q", "-s", _dir.File(ca), "-I", "test-id" };
        args.AddRange(options);
        args.Add(copy);
        SshKeygen.Ok([.. args]);
        return copy[..^".pub".Length] + "-cert.pub";
    }

    public SshCertificate Sign(string ca, string user, params string[] options) =>
        Assert.IsType<SshCertificate>(SshKeys.ParseAuthorizedKey(File.ReadAllText(SignFile(ca, user, options))));

    public void Dispose() => _dir.Dispose();
}
