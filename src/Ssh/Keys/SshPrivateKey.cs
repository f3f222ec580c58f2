namespace Gateway.Ssh.Keys;

/// <summary>A private key that can sign: host keys, and user keys in the client role.</summary>
public abstract class SshPrivateKey : IDisposable
{
    public abstract SshPublicKey PublicKey { get; }

    /// <summary>
    /// Signature algorithms this key can produce, strongest first: one entry for ed25519/ecdsa,
    /// <c>rsa-sha2-512, rsa-sha2-256</c> for RSA.
    /// </summary>
    public abstract IReadOnlyList<string> SignatureAlgorithms { get; }

    /// <summary>Signs and returns the signature blob <c>string algorithm ‖ string sig</c>.</summary>
    public abstract byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
