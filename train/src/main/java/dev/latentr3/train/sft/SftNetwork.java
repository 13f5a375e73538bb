package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentNoise;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;

import java.util.SequencedMap;

/**
 * What SFT trains: LatentR3's LLM with LatentRATT (prompts carry the thought token; method doc §2 trains both, through
 * both passes), or the LLM alone for the BIGRec-style baseline. Either gives logits at the requested positions and
 * its parameters by name; the loss is the same.
 */
public interface SftNetwork {
    /** Logits [N, vocab] at the N requested positions of ids I32 [B, L] with mask I32 [B, L]. */
    Tensor logits(Tensor ids, Tensor mask, LogitPositions positions);

    /** Every trained parameter by name (LLM then LatentRATT). */
    SequencedMap<String, Tensor> namedParameters();

    /** Whether prompts must end with the thought token. */
    boolean usesThought();

    /** The mean cross-entropy over the batch's target tokens (the only labelled ones). */
    default Tensor loss(SftBatch batch) {
        Tensor logits = logits(batch.idsTensor(), batch.maskTensor(), batch.logitPositions());
        return Losses.crossEntropy(logits, batch.labelsTensor(), -100);
    }

    /** LatentR3: the latent forward without noise (SFT has none). */
    static SftNetwork latent(LatentModel model) {
        return new SftNetwork() {
            @Override
            public Tensor logits(Tensor ids, Tensor mask, LogitPositions positions) {
                return model.forward(ids, mask, positions, LatentNoise.none()).output().logits();
            }

            @Override
            public SequencedMap<String, Tensor> namedParameters() {
                return model.namedParameters();
            }

            @Override
            public boolean usesThought() {
                return true;
            }
        };
    }

    /** The BIGRec-style baseline: the LLM alone, no thought token. */
    static SftNetwork baseline(Qwen2ForCausalLM llm) {
        return new SftNetwork() {
            @Override
            public Tensor logits(Tensor ids, Tensor mask, LogitPositions positions) {
                return llm.forward(ids, mask, positions).logits();
            }

            @Override
            public SequencedMap<String, Tensor> namedParameters() {
                return llm.namedParameters();
            }

            @Override
            public boolean usesThought() {
                return false;
            }
        };
    }
}
