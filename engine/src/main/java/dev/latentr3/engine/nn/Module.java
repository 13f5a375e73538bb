package dev.latentr3.engine.nn;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.OwnedTensors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block of a model: its own parameters and its child blocks, each registered under a name. Parameters are
 * listed in a fixed order (own ones first, then each child's, recursively, in registration order) with dotted paths
 * such as {@code layers.0.self_attn.q_proj.weight}, the names a Hugging Face checkpoint uses for the same blocks.
 *
 * <p>Parameters are owned tensors (see {@link OwnedTensors}) that require grad; a module only holds them and
 * defines its forward as ordinary methods of the subclass.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    /** A new owned, zero-filled parameter of this module (subclasses then initialise it). */
    protected Tensor parameter(String name, int... shape) {
        checkName(name);
        Tensor p = OwnedTensors.zeros(shape).requiresGrad(true).named(name);
        parameters.put(name, p);
        return p;
    }

    /** Registers a child block; its parameters' names gain the prefix {@code name.}. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        module.namedParameters().forEach((path, p) -> p.named(name + "." + path));
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name + "' is empty or already registered");
        }
    }

    /** Every parameter under its dotted path, in the module's fixed order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>(parameters);
        children.forEach((name, m) -> m.namedParameters().forEach((path, p) -> out.put(name + "." + path, p)));
        return Collections.unmodifiableMap(out);
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        return namedParameters().values().stream().mapToLong(Tensor::numel).sum();
    }
}
