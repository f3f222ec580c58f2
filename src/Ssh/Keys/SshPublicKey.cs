namespace Gateway.Ssh.Keys;

/// <summary>
/// A public key (or OpenSSH certificate) in its SSH wire form. Equality is by blob.
/// </summary>
public abstract class SshPublicKey : IEquatable<SshPublicKey>
{
    /// <summary>Key type as it appears first in the blob: <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>ssh-rsa</c>, <c>ssh-ed25519-cert-v01@openssh.com</c>…</summary>
    public abstract string KeyType { get; }

    /// <summary>The public key blob (RFC 4253 §6.6 encoding).</summary>
    public abstract ReadOnlyMemory<byte> Blob { get; }

    /// <summary>
    /// Verifies <paramref name="signature"/>, a signature blob (<c>string algorithm ‖ string sig</c>),
    /// over <paramref name="data"/>. The algorithm inside the blob must equal
    /// <paramref name="signatureAlgorithm"/> (e.g. <c>rsa-sha2-512</c> for an <c>ssh-rsa</c> key). Never throws on bad input.
    /// </summary>
    public abstract bool Verify(string signatureAlgorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    public bool Equals(SshPublicKey? other) => other is not null && Blob.Span.SequenceEqual(other.Blob.Span);
    public override bool Equals(object? obj) => obj is SshPublicKey other && Equals(other);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Blob.Span);
        return hash.ToHashCode();
    }
}
