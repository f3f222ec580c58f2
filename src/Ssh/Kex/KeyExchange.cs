using System.Security.Cryptography;

namespace Gateway.Ssh.Kex;

/// <summary>
/// One run of an ephemeral key agreement (curve25519, ECDH, hybrid ML-KEM): both roles use
/// messages 30/31 with a single opaque value each way. The transport computes the exchange hash
/// and derives keys; this type only produces public values and the shared secret.
/// </summary>
public abstract class KeyExchange : IDisposable
{
    /// <summary>Negotiated name, e.g. <c>curve25519-sha256</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Hash for the exchange hash and key derivation.</summary>
    public abstract HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Client role: creates the ephemeral key and returns Q_C (or C_INIT).</summary>
    public abstract byte[] CreateClientValue();

    /// <summary>
    /// Server role: validates Q_C exactly (length, point on curve, non-zero secret), creates the
    /// server's ephemeral value and returns Q_S (or S_REPLY) and the shared secret K already
    /// encoded as it enters the exchange hash (mpint for ECDH/X25519, string for the ML-KEM hybrid).
    /// Throws <see cref="SshProtocolException"/> with KeyExchangeFailed on a bad value.
    /// </summary>
    public abstract (byte[] ServerValue, byte[] EncodedSharedSecret) RespondToClient(ReadOnlySpan<byte> clientValue);

    /// <summary>Client role: validates Q_S and returns K encoded as in <see cref="RespondToClient"/>.</summary>
    public abstract byte[] CompleteAsClient(ReadOnlySpan<byte> serverValue);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private bool _used;

    /// <summary>
    /// Marks the instance used: one ephemeral key serves exactly one exchange, so a second role on
    /// the same instance would reuse it.
    /// </summary>
    protected void Claim()
    {
        if (_used) throw new InvalidOperationException("A KeyExchange instance serves exactly one exchange.");
        _used = true;
    }
}
