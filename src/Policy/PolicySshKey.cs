using System.Buffers.Binary;
using System.Text;

namespace Gateway.Policy;

/// <summary>
/// An SSH public key as policy compares it: the algorithm name and the wire-format blob
/// (RFC 4253 §6.6). Two keys are equal when type and blob bytes are equal; comments and
/// authorized_keys options never take part.
/// </summary>
public sealed class PolicySshKey : IEquatable<PolicySshKey>
{
    private readonly byte[] _blob;

    private PolicySshKey(string type, byte[] blob)
    {
        Type = type;
        _blob = blob;
    }

    /// <summary>Algorithm name, e.g. <c>ssh-ed25519</c> or <c>ssh-ed25519-cert-v01@openssh.com</c>.</summary>
    public string Type { get; }

    /// <summary>Wire-format key blob (starts with the SSH string <see cref="Type"/>).</summary>
    public ReadOnlySpan<byte> Blob => _blob;

    /// <summary>Base64 of the blob, as in an authorized_keys line.</summary>
    public string Base64 => Convert.ToBase64String(_blob);

    /// <summary>From a wire-format blob; the type is read from the blob itself.</summary>
    public static PolicySshKey FromBlob(ReadOnlySpan<byte> blob) =>
        TryFromBlob(blob, out var key) ? key : throw new FormatException("not an SSH public key blob");

    /// <summary>From the two fields of an authorized_keys line (type and base64 blob).</summary>
    public static PolicySshKey FromBase64(string type, string base64) =>
        TryFromBase64(type, base64, out var key) ? key : throw new FormatException($"not a valid {type} key blob");

    /// <summary>From an authorized_keys line: optional options, type, base64 blob, optional comment.</summary>
    public static PolicySshKey ParseAuthorizedKey(string line) =>
        TryParseAuthorizedKey(line, out var key) ? key : throw new FormatException("not a valid authorized_keys line");

    public static bool TryFromBlob(ReadOnlySpan<byte> blob, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PolicySshKey? key)
    {
        key = null;
        var type = ReadType(blob);
        if (type is null)
            return false;
        key = new PolicySshKey(type, blob.ToArray());
        return true;
    }

    public static bool TryFromBase64(string type, string base64, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PolicySshKey? key)
    {
        key = null;
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return false;
        }
        // The type field of a line must agree with the type inside the blob, otherwise the
        // line was mangled and comparing it would silently never match.
        if (ReadType(blob) != type)
            return false;
        key = new PolicySshKey(type, blob);
        return true;
    }

    /// <summary>
    /// Scans the whitespace-separated fields for "type base64" where the blob's own type equals the
    /// type field. This skips any leading options (<c>cert-authority</c>, <c>from="..."</c>, ...) and
    /// the trailing comment without having to parse option quoting.
    /// </summary>
    public static bool TryParseAuthorizedKey(string? line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PolicySshKey? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(line))
            return false;
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < fields.Length; i++)
        {
            if (LooksLikeKeyType(fields[i]) && TryFromBase64(fields[i], fields[i + 1], out key))
                return true;
        }
        return false;
    }

    private static bool LooksLikeKeyType(string field) =>
        field.StartsWith("ssh-", StringComparison.Ordinal)
        || field.StartsWith("ecdsa-", StringComparison.Ordinal)
        || field.StartsWith("sk-", StringComparison.Ordinal)
        || field.StartsWith("rsa-", StringComparison.Ordinal);

    private static string? ReadType(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
            return null;
        var len = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (len == 0 || len > 64 || len > (uint)(blob.Length - 4))
            return null;
        var name = blob.Slice(4, (int)len);
        foreach (var b in name)
        {
            if (b <= 0x20 || b >= 0x7f)
                return null;
        }
        return Encoding.ASCII.GetString(name);
    }

    public bool Equals(PolicySshKey? other) =>
        other is not null && Type == other.Type && _blob.AsSpan().SequenceEqual(other._blob);

    public override bool Equals(object? obj) => Equals(obj as PolicySshKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_blob);
        return hash.ToHashCode();
    }

    public override string ToString() => Type + " " + Base64;
}
