using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>Encodes and decodes the signature blob <c>string algorithm ‖ string signature</c>.</summary>
internal static class SshSignatureBlob
{
    public static byte[] Encode(string algorithm, ReadOnlySpan<byte> signature)
    {
        var copy = signature.ToArray();
        return SshMessageBuilder.Build(w =>
        {
            w.WriteString(algorithm);
            w.WriteBinary(copy);
        });
    }

    /// <summary>
    /// Splits a signature blob and checks that its algorithm is <paramref name="expectedAlgorithm"/>.
    /// Returns false (never throws) when the blob is malformed or names another algorithm.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> blob, string expectedAlgorithm, out ReadOnlySpan<byte> signature)
    {
        signature = default;
        try
        {
            var reader = new SshReader(blob);
            var algorithm = reader.ReadBinary();
            if (!AsciiEquals(algorithm, expectedAlgorithm)) return false;
            var sig = reader.ReadBinary();
            reader.EnsureEnd();
            signature = sig;
            return true;
        }
        catch (SshProtocolException)
        {
            return false;
        }
    }

    /// <summary>Reads only the algorithm name of a signature blob.</summary>
    public static string ReadAlgorithm(ReadOnlySpan<byte> blob)
    {
        var reader = new SshReader(blob);
        var algorithm = reader.ReadString();
        reader.ReadBinary();
        reader.EnsureEnd();
        return algorithm;
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> bytes, string text)
    {
        if (bytes.Length != text.Length) return false;
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] != text[i]) return false;
        return true;
    }
}
