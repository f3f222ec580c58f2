using Gateway.Ssh.Kex;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Kex;

public class KeyExchangeTests
{
    public static IEnumerable<object[]> Names() => KeyExchangeAlgorithms.Supported.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void Client_and_server_agree_on_K(string name)
    {
        for (var i = 0; i < 5; i++)
        {
            using var client = KeyExchangeAlgorithms.Create(name);
            using var server = KeyExchangeAlgorithms.Create(name);
            Assert.Equal(name, client.Name);
            Assert.Equal(System.Security.Cryptography.HashAlgorithmName.SHA256, client.HashAlgorithm);
            var qc = client.CreateClientValue();
            var (qs, serverK) = server.RespondToClient(qc);
            var clientK = client.CompleteAsClient(qs);
            Assert.Equal(serverK, clientK);
            // K is a well-formed SSH string/mpint that fills the whole encoding.
            var reader = new SshReader(clientK);
            var inner = reader.ReadBinary();
            reader.EnsureEnd();
            Assert.True(inner.Length >= 16);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Fresh_instances_give_fresh_values(string name)
    {
        using var a = KeyExchangeAlgorithms.Create(name);
        using var b = KeyExchangeAlgorithms.Create(name);
        Assert.NotEqual(a.CreateClientValue(), b.CreateClientValue());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Wrong_length_values_are_rejected(string name)
    {
        using var client = KeyExchangeAlgorithms.Create(name);
        using var server = KeyExchangeAlgorithms.Create(name);
        var qc = client.CreateClientValue();
        using (var s2 = KeyExchangeAlgorithms.Create(name))
        {
            var (qs, _) = s2.RespondToClient(qc);
            foreach (var bad in new[] { qs[..^1], qs.Concat(new byte[1]).ToArray(), Array.Empty<byte>() })
            {
                var ex = Assert.Throws<SshProtocolException>(() => client.CompleteAsClient(bad));
                Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
            }
        }
        foreach (var bad in new[] { qc[..^1], qc.Concat(new byte[1]).ToArray(), Array.Empty<byte>() })
        {
            using var s = KeyExchangeAlgorithms.Create(name);
            var ex = Assert.Throws<SshProtocolException>(() => s.RespondToClient(bad));
            Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
        }
    }

    [Fact]
    public void Unknown_names_are_not_supported()
    {
        Assert.False(KeyExchangeAlgorithms.IsSupported("diffie-hellman-group14-sha256"));
        Assert.Throws<ArgumentException>(() => KeyExchangeAlgorithms.Create("diffie-hellman-group14-sha256"));
    }
}
