using CsCheck;
using Gateway.Ssh.Kex;

namespace Gateway.Ssh.Tests.Kex;

public class KeyExchangeFuzzTests
{
    public static IEnumerable<object[]> Names() => KeyExchangeAlgorithms.Supported.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void Random_peer_values_either_work_or_fail_with_SshProtocolException(string name)
    {
        using var probe = KeyExchangeAlgorithms.Create(name);
        var valid = probe.CreateClientValue().Length;
        // Mostly the exact length (to get past the length check), sometimes any length.
        var gen = Gen.Frequency((3, Gen.Byte.Array[valid]), (1, Gen.Byte.Array[0, valid + 40]));
        gen.Sample(bytes =>
        {
            using var server = KeyExchangeAlgorithms.Create(name);
            try
            {
                var (reply, k) = server.RespondToClient(bytes);
                return reply.Length > 0 && k.Length > 4;
            }
            catch (SshProtocolException e)
            {
                return e.Reason == DisconnectReason.KeyExchangeFailed;
            }
        }, iter: 60, threads: 1);
    }
}
