using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>
/// Builds certificate blobs field by field (PROTOCOL.certkeys), for cases ssh-keygen will not
/// produce: unsorted options, a certificate as CA key, oversized principal lists.
/// </summary>
public sealed class CertificateBuilder(SshPublicKey key, SshPrivateKey ca)
{
    public ulong Serial { get; set; } = 1;
    public uint Type { get; set; } = (uint)SshCertificateType.User;
    public string KeyId { get; set; } = "built";
    public List<string> Principals { get; } = ["alice"];
    public ulong ValidAfter { get; set; }
    public ulong ValidBefore { get; set; } = ulong.MaxValue;
    /// <summary>(name, raw data) pairs written in list order.</summary>
    public List<(string Name, byte[] Data)> CriticalOptions { get; } = [];
    public List<(string Name, byte[] Data)> Extensions { get; } = [];
    /// <summary>Overrides the signature key blob (default: the CA's public key).</summary>
    public byte[]? SignatureKeyBlob { get; set; }
    public string? SignatureAlgorithm { get; set; }
    public byte[] Trailer { get; set; } = [];

    public static byte[] StringValue(string value) => SshMessageBuilder.Build(w => w.WriteString(value));

    public byte[] Build()
    {
        var plain = key.Blob.ToArray();
        var reader = new SshReader(plain);
        var plainType = reader.ReadString();
        var keyFields = plain[reader.Position..];
        var signed = SshMessageBuilder.Build(w =>
        {
            w.WriteString(plainType + SshKeyAlgorithms.CertificateSuffix);
            w.WriteBinary(new byte[32]);
            w.WriteRaw(keyFields);
            w.WriteUInt64(Serial);
            w.WriteUInt32(Type);
            w.WriteString(KeyId);
            w.WriteBinary(SshMessageBuilder.Build(p => { foreach (var name in Principals) p.WriteString(name); }));
            w.WriteUInt64(ValidAfter);
            w.WriteUInt64(ValidBefore);
            w.WriteBinary(Options(CriticalOptions));
            w.WriteBinary(Options(Extensions));
            w.WriteBinary([]);
            w.WriteBinary(SignatureKeyBlob ?? ca.PublicKey.Blob.ToArray());
        });
        var signature = ca.Sign(SignatureAlgorithm ?? ca.SignatureAlgorithms[0], signed);
        return SshMessageBuilder.Build(w =>
        {
            w.WriteRaw(signed);
            w.WriteBinary(signature);
            w.WriteRaw(Trailer);
        });
    }

    private static byte[] Options(List<(string Name, byte[] Data)> options) =>
        SshMessageBuilder.Build(w =>
        {
            foreach (var (name, data) in options)
            {
                w.WriteString(name);
                w.WriteBinary(data);
            }
        });
}
