using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Security;

namespace Gateway.Ssh.Kex;

/// <summary>An ephemeral X25519 key (RFC 7748) via BouncyCastle, since .NET 10 has no X25519.</summary>
internal sealed class X25519KeyPair : IDisposable
{
    public const int Size = 32;

    private static readonly SecureRandom Random = new();

    private readonly byte[] _private = new byte[Size];

    public X25519KeyPair()
    {
        X25519.GeneratePrivateKey(Random, _private);
        PublicKey = new byte[Size];
        X25519.ScalarMultBase(_private, 0, PublicKey, 0);
    }

    public byte[] PublicKey { get; }

    /// <summary>
    /// Computes the raw 32-byte shared secret with the peer's public key. An all-zero result
    /// (peer sent a low-order point) means the peer controls K, so it fails the exchange.
    /// </summary>
    public byte[] Agree(ReadOnlySpan<byte> peerPublic)
    {
        if (peerPublic.Length != Size)
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"X25519 public key must be {Size} bytes, got {peerPublic.Length}.");
        var peer = peerPublic.ToArray();
        var secret = new byte[Size];
        if (!X25519.CalculateAgreement(_private, 0, peer, 0, secret, 0))
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "X25519 shared secret is all zero (low-order public key).");
        return secret;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_private);
}
