using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>One key of each kind, generated once per test class (RSA generation is slow).</summary>
public sealed class GeneratedKeysFixture : IDisposable
{
    public SshPrivateKey Ed25519 { get; } = SshKeys.Generate(SshKeyKind.Ed25519);
    public SshPrivateKey EcdsaP256 { get; } = SshKeys.Generate(SshKeyKind.EcdsaP256);
    public SshPrivateKey EcdsaP384 { get; } = SshKeys.Generate(SshKeyKind.EcdsaP384);
    public SshPrivateKey EcdsaP521 { get; } = SshKeys.Generate(SshKeyKind.EcdsaP521);
    public SshPrivateKey Rsa { get; } = SshKeys.Generate(SshKeyKind.Rsa, 2048);

    public void Dispose()
    {
        Ed25519.Dispose();
        EcdsaP256.Dispose();
        EcdsaP384.Dispose();
        EcdsaP521.Dispose();
        Rsa.Dispose();
    }
}
