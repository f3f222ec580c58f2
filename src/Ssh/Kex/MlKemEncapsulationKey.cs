namespace Gateway.Ssh.Kex;

/// <summary>
/// The FIPS 203 §7.2 "modulus check" on an ML-KEM encapsulation key: every 12-bit coefficient of
/// the encoded vector t must be below q = 3329 (the trailing 32 bytes are the seed ρ).
/// </summary>
internal static class MlKemEncapsulationKey
{
    private const int Q = 3329;

    public static bool IsValid768(ReadOnlySpan<byte> encapsulationKey)
    {
        if (encapsulationKey.Length != MlKem768X25519KeyExchange.EncapsulationKeyLength) return false;
        var vector = encapsulationKey[..(3 * 384)];
        var ok = true;
        for (var i = 0; i < vector.Length; i += 3)
        {
            // Three bytes hold two little-endian 12-bit values.
            var a = vector[i] | ((vector[i + 1] & 0x0f) << 8);
            var b = (vector[i + 1] >> 4) | (vector[i + 2] << 4);
            ok &= a < Q & b < Q;
        }
        return ok;
    }
}
