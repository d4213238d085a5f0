package cimtrain.train;

import cimtrain.util.Json;
import cimtrain.util.UserError;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * What a training run was started with, beyond {@link TrainConfig}: where the model, hardware and data
 * came from. A checkpoint stores it so that {@code train --resume} rebuilds the same run.
 *
 * @param model      a model name or YAML path, as given
 * @param hardware   a hardware name or YAML path, as given (null for fp32)
 * @param dataDir    --data, or null
 * @param imageSize  --image-size
 * @param fit        --fit
 * @param channels   --channels
 * @param trainLimit --train-limit
 */
public record RunArguments(TrainConfig config, String model, String hardware, String dataDir, int imageSize,
                           String fit, int channels, int trainLimit) {

    public String toJson() {
        return Json.pretty(this);
    }

    public static RunArguments fromJson(String json, String source) {
        try {
            return Json.MAPPER.readValue(json, RunArguments.class);
        } catch (JsonProcessingException e) {
            throw new UserError(source + ": unreadable run arguments (" + e.getOriginalMessage() + ")");
        }
    }
}
